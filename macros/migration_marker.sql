{% macro migration_marker() -%}forecast_migration{%- endmacro %}
