{#- The migration_exceptions reason of a legacy price row that repeats the curve, forecast
    run, value_type and flow_date_start of a lower id (PriceForecast keeps the lower id). -#}
{% macro duplicate_price_row_reason() -%}
    duplicate: same curve, run, value_type and flow_date_start as a lower id
{%- endmacro %}
