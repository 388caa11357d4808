{#- Readiness: the legacy table exists, is a table, and has every column the migration reads.
    Returns one row when the table is missing or is a view (the clean-up replaced it), else
    one row per missing column. -#}
{% test legacy_columns_present(model, column_names) %}
{%- set table_name = model.include(database=false) | string | replace("'", "''") %}

with

expected as (
    select unnest(array[
        {%- for column_name in column_names %}'{{ column_name }}'{{ ", " if not loop.last }}{% endfor -%}
    ]::text []) as column_name
),

present as (
    select attname::text as column_name
    from pg_catalog.pg_attribute
    where
        attrelid = to_regclass('{{ model | replace("'", "''") }}')
        and attnum > 0
        and not attisdropped
)

select
    null::text as column_name,
    '{{ table_name }} is missing: the migration reads it (var legacy_schema names the schema)' as failure
where to_regclass('{{ model | replace("'", "''") }}') is null

union all

select
    null::text as column_name,
    '{{ table_name }} is a view since the clean-up (forecast-migrate cleanup --legacy-tables)'
    || ': the new tables hold the only copy of the data and the migration must not run again' as failure
from pg_catalog.pg_class
where
    oid = to_regclass('{{ model | replace("'", "''") }}')
    and relkind = 'v'

union all

select
    expected.column_name,
    '{{ table_name }} has no column ' || expected.column_name
    || ': the migration reads it; add nothing to the legacy table, check that this is the legacy schema' as failure
from expected
where
    to_regclass('{{ model | replace("'", "''") }}') is not null
    and not exists (
        select 1 from present
        where present.column_name = expected.column_name
    )

{% endtest %}
