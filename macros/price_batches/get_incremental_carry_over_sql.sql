{% macro get_incremental_carry_over_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
    {%- set updated = columns | reject('equalto', 'id') | list -%}
insert into {{ target }} as target (
    {%- for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
)
select
    {%- for column in columns %} {{ adapter.quote(column) }}{{ "," if not loop.last }}{% endfor %}
from {{ source }}
order by {{ config.require('conflict_order_by') }}
on conflict (id) do update set
    {%- for column in updated %}
    {{ adapter.quote(column) }} = excluded.{{ adapter.quote(column) }}{{ "," if not loop.last }}
    {%- endfor %}
where
    {{ written_by_the_migration('target') }}
    and (
        {%- for column in updated %}target.{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
    ) is distinct from (
        {%- for column in updated %}excluded.{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
    )
{%- endmacro %}
