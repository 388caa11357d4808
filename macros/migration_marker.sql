{#- The value of metadata->>'source' on every row the migration writes to a table that has
    a metadata column; a row without it was written by the application. -#}
{% macro migration_marker() -%}forecast_migration{%- endmacro %}
