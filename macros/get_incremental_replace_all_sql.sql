{#- Incremental strategy `replace_all` (migration_exceptions): the model's rows replace every
    row of the table, in one transaction (DELETE, then INSERT). Unlike dbt's `table`
    materialization, which builds a new table and drops the old one with CASCADE, the table
    stays, and so do the views that read it (the compat views) and the grants on them. -#}
{% macro get_incremental_replace_all_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
delete from {{ target }};
insert into {{ target }} (
    {%- for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
)
select
    {%- for column in columns %} {{ adapter.quote(column) }}{{ "," if not loop.last }}{% endfor %}
from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
