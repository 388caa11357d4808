{% macro get_incremental_upsert_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set keep = config.get('upsert_keep_columns', []) -%}
    {%- set touch = config.get('upsert_touch_columns', []) -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
    {%- set updated = columns | reject('in', keys) | reject('in', keep) | list -%}
    {%- set compared = updated | reject('in', touch) | list -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error("the upsert strategy needs a unique_key") }}
    {%- endif -%}
insert into {{ target }} (
    {%- for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
)
select
    {%- for column in columns %} {{ adapter.quote(column) }}{{ "," if not loop.last }}{% endfor %}
from {{ source }}
on conflict (
    {%- for key in keys %}{{ adapter.quote(key) }}{{ ", " if not loop.last }}{% endfor -%}
) do update set
    {%- for column in updated %}
    {{ adapter.quote(column) }} = excluded.{{ adapter.quote(column) }}{{ "," if not loop.last }}
    {%- endfor %}
where (
    {%- for column in compared %}{{ target }}.{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
) is distinct from (
    {%- for column in compared %}excluded.{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor -%}
)
{%- endmacro %}
