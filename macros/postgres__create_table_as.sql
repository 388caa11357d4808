{#- Override of dbt-postgres's create_table_as: a model with config `bulk_load: true` and an
    enforced contract is first built by bulk_create_table_as (load first, then constraints);
    every other table is created exactly as dbt-postgres does. -#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {%- if not temporary and config.get('bulk_load', false) and config.get('contract').enforced -%}
        {{ bulk_create_table_as(relation, sql) }}
    {%- else -%}
        {{ dbt.postgres__create_table_as(temporary, relation, sql) }}
    {%- endif -%}
{%- endmacro %}
