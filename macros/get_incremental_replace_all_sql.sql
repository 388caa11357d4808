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
