{#- A contract column as dbt's DDL names it: quoted when `quote: true`, else as written
    (PostgreSQL folds it to lower case, so quote the folded name). -#}
{% macro _bulk_column_name(column) -%}
    {{ adapter.quote(column.name if column.get('quote') else column.name | lower) }}
{%- endmacro %}
