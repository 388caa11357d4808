{% macro application_value_kept_reason() -%}
    corrected in the legacy table after the application changed the migrated row: PriceForecast keeps the value the application wrote
{%- endmacro %}
