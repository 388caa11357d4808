{#- Readiness: the legacy table exists and has every column the migration reads.
    Returns one row per missing column (every column when the table is missing). -#}
{% test legacy_columns_present(model, column_names) %}

with

expected as (
    select unnest(array[
        {%- for column_name in column_names %}'{{ column_name }}'{{ ", " if not loop.last }}{% endfor -%}
    ]::text []) as column_name
),

present as (
    select column_name::text as column_name
    from information_schema.columns
    where
        table_schema = '{{ model.schema }}'
        and table_name = '{{ model.identifier }}'
)

select
    expected.column_name,
    '{{ model }} has no column ' || expected.column_name
    || ' (or the table does not exist)' as failure
from expected
where not exists (
    select 1 from present
    where present.column_name = expected.column_name
)

{% endtest %}
