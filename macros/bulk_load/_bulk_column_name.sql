{% macro _bulk_column_name(column) -%}
    {{ adapter.quote(column.name if column.get('quote') else column.name | lower) }}
{%- endmacro %}
