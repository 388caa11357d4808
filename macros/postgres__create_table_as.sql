{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {%- if not temporary and config.get('bulk_load', false) and config.get('contract').enforced -%}
        {{ bulk_create_table_as(relation, sql) }}
    {%- else -%}
        {{ dbt.postgres__create_table_as(temporary, relation, sql) }}
    {%- endif -%}
{%- endmacro %}
