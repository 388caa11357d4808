{% macro curve_base_name(market, product, location) -%}
    {%- set parts = [market, product, location] -%}
    left(upper(concat_ws('_'
        {%- for part in parts %},
        coalesce(nullif(regexp_replace(trim({{ part }}), '\s+', '_', 'g'), ''), '{{ unknown_placeholder() }}')
        {%- endfor %}
    )), 200)
{%- endmacro %}
