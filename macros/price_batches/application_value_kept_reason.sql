{#- The migration_exceptions reasons a price row gets after the per-row checks
    (classify_price_rows) passed it, one macro each so the models, the tests and the compat
    view spell them the same. -#}

{#- A legacy row corrected after it was migrated, where the application had changed the
    migrated row since: PriceForecast keeps the value the application wrote. -#}
{% macro application_value_kept_reason() -%}
    corrected in the legacy table after the application changed the migrated row: PriceForecast keeps the value the application wrote
{%- endmacro %}
