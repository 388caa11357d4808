{#- Incremental strategy `append_unique`: appends the new rows in `conflict_order_by` order
    and skips a row whose `skip_conflicts_on` key is already taken, by an earlier row of the
    table or a lower one of the same batch (INSERT ... ON CONFLICT DO NOTHING, PostgreSQL 9.5+).
    Never updates or deletes. Any other constraint violation still fails the model. -#}
{% macro get_incremental_append_unique_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
    {%- set conflict_columns = config.require('skip_conflicts_on') -%}
insert into {{ target }} (
    {%- for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
)
select
    {%- for column in columns %} {{ adapter.quote(column) }}{{ "," if not loop.last }}{% endfor %}
from {{ source }}
order by {{ config.require('conflict_order_by') }}
on conflict ({{ _bulk_quoted_list(conflict_columns) }}) do nothing
{%- endmacro %}
