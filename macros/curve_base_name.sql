{#- The curve name before de-duplication: upper-case MARKET_PRODUCT_LOCATION, runs of
    whitespace as one underscore, a NULL or blank part as the placeholder UNKNOWN, cut to
    200 characters (so it and its suffix fit a btree index entry whatever the legacy
    values hold). Shared by the naming model and the readiness checks. -#}
{% macro curve_base_name(market, product, location) -%}
    {%- set parts = [market, product, location] -%}
    left(upper(concat_ws('_'
        {%- for part in parts %},
        coalesce(nullif(regexp_replace(trim({{ part }}), '\s+', '_', 'g'), ''), '{{ unknown_placeholder() }}')
        {%- endfor %}
    )), 200)
{%- endmacro %}
