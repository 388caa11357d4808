{#- Readiness: the legacy table exists, is a table, and has exactly the columns its source
    declares (models/staging/legacy/_legacy__sources.yml): each declared column with the
    declared type, in the declared order, and no other. The compat views are built from that
    declaration (macro legacy_columns), so an old query gets the legacy table's shape back.
    Returns one row per difference, each with a `failure` sentence. -#}
{% test legacy_columns_as_declared(model) %}
{%- set table_name = model.include(database=false) | string | replace("'", "''") %}
{%- set regclass = "to_regclass('" ~ (model | string | replace("'", "''")) ~ "')" %}
{%- set sources_file = 'models/staging/legacy/_legacy__sources.yml' %}

with

declared as (
    select *
    from (
        values
        {%- for column in legacy_columns(model.identifier) %}
            ({{ loop.index }}, '{{ column.name }}', '{{ column.data_type | replace("'", "''") }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as declared_columns (position, column_name, data_type)
),

present as (
    select
        row_number() over (order by attnum) as position,
        attname::text as column_name,
        atttypid as type_oid,
        format_type(atttypid, atttypmod) as data_type
    from pg_catalog.pg_attribute
    where
        attrelid = {{ regclass }}
        and attnum > 0
        and not attisdropped
),

both_sides as (
    select
        declared.column_name,
        declared.data_type as declared_type,
        present.data_type as present_type,
        present.type_oid = to_regtype(declared.data_type)
        and coalesce(substring(present.data_type from '\(.*\)'), '')
        = coalesce(substring(declared.data_type from '\(.*\)'), '') as same_type,
        row_number() over (order by declared.position) as declared_rank,
        row_number() over (order by present.position) as present_rank
    from declared
    inner join present on declared.column_name = present.column_name
)

select
    null::text as column_name,
    '{{ table_name }} is missing: the migration reads it (var legacy_schema names the schema)' as failure
where {{ regclass }} is null

union all

select
    null::text as column_name,
    '{{ table_name }} is a view since the clean-up (forecast-migrate cleanup --legacy-tables)'
    || ': the new tables hold the only copy of the data and the migration must not run again' as failure
from pg_catalog.pg_class
where
    oid = {{ regclass }}
    and relkind = 'v'

union all

select
    declared.column_name,
    '{{ table_name }} has no column ' || declared.column_name
    || ': the migration reads it; add nothing to the legacy table, check that this is the legacy schema' as failure
from declared
where
    {{ regclass }} is not null
    and not exists (
        select 1 from present
        where present.column_name = declared.column_name
    )

union all

select
    present.column_name,
    '{{ table_name }} has a column ' || present.column_name || ' ({{ sources_file }} does not declare it)'
    || ': the compat view would not return it; declare it there, with its data_type' as failure
from present
where not exists (
    select 1 from declared
    where declared.column_name = present.column_name
)

union all

select
    both_sides.column_name,
    '{{ table_name }}.' || both_sides.column_name || ' is ' || both_sides.present_type
    || ', declared ' || both_sides.declared_type || ' ({{ sources_file }})'
    || ': the compat view returns the declared type; declare the type the table has' as failure
from both_sides
where not both_sides.same_type

union all

select
    both_sides.column_name,
    '{{ table_name }}.' || both_sides.column_name || ' is column ' || both_sides.present_rank
    || ' of the table, declared as column ' || both_sides.declared_rank || ' ({{ sources_file }})'
    || ': the compat view returns the declared order; declare the order the table has' as failure
from both_sides
where both_sides.declared_rank <> both_sides.present_rank

{% endtest %}
