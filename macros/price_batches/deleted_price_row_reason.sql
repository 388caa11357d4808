{#- A legacy row deleted after a batch read it (migrated or listed): PriceForecast keeps a
    migrated row; the compat view no longer returns it. -#}
{% macro deleted_price_row_reason() -%}
    deleted from the legacy table after a batch read it: PriceForecast keeps what was migrated
{%- endmacro %}
