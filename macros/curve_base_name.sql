{#- The curve name before de-duplication: upper-case MARKET_PRODUCT_LOCATION, runs of
    whitespace as one underscore, a NULL or blank part as var-free placeholder UNKNOWN.
    Shared by the naming model and the readiness test that reports collisions. -#}
{% macro curve_base_name(market, product, location) -%}
    {%- set parts = [market, product, location] -%}
    upper(concat_ws('_'
        {%- for part in parts %},
        coalesce(nullif(regexp_replace(trim({{ part }}), '\s+', '_', 'g'), ''), '{{ unknown_placeholder() }}')
        {%- endfor %}
    ))
{%- endmacro %}
