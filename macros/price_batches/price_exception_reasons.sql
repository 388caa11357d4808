{#- The migration_exceptions reasons a price row gets after the per-row checks
    (classify_price_rows) passed it, one macro each so the models, the tests and the compat
    view spell them the same. -#}

{#- A legacy row corrected after it was migrated, where the application had changed the
    migrated row since: PriceForecast keeps the value the application wrote. -#}
{% macro application_value_kept_reason() -%}
    corrected in the legacy table after the application changed the migrated row: PriceForecast keeps the value the application wrote
{%- endmacro %}

{#- A legacy row deleted after a batch read it (migrated or listed): PriceForecast keeps a
    migrated row; the compat view no longer returns it. -#}
{% macro deleted_price_row_reason() -%}
    deleted from the legacy table after a batch read it: PriceForecast keeps what was migrated
{%- endmacro %}
