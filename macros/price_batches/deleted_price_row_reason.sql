{% macro deleted_price_row_reason() -%}
    deleted from the legacy table after a batch read it: PriceForecast keeps what was migrated
{%- endmacro %}
