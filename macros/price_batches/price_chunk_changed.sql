{% macro price_chunk_changed(versions, stored, batch_id) -%}
    {%- set columns = ['legacy_rows', 'legacy_version', 'price_forecast_rows', 'price_forecast_version', 'listed_rows', 'listed_version'] -%}
    {{ stored }}.chunk is null
    or ({{ versions }}.{{ columns | join(', ' ~ versions ~ '.') }})
    is distinct from ({{ stored }}.{{ columns | join(', ' ~ stored ~ '.') }})
    or ({{ stored }}.settled_rows <> {{ stored }}.legacy_rows and {{ stored }}.checksummed_by_batch <> {{ batch_id }})
{%- endmacro %}
