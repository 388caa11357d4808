{#- Incremental strategy `carry_over` (PriceForecast after the first batch): inserts the new
    rows and rewrites, by id, a row whose legacy origin was corrected, but only where the
    migration wrote the row last (written_by_the_migration) and something differs; a row
    the application changed since keeps its values. The model has already left out the rows
    whose `skip_conflicts_on` key another id holds, and keeps the lowest id of a repeated
    key in the batch. Never deletes. -#}
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
