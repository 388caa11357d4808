{#- Readiness: a legacy id column is a key (no NULL, no value twice), since legacy ids become
    the new ids. When PostgreSQL itself enforces that (a valid unique index on exactly this
    column, without predicate or expression, and the column NOT NULL by a validated
    constraint), the one-time filter
    is false and the rows are never read; otherwise every row is grouped. The failing row
    says what is wrong, e.g. '"Forecasts"."curve_definitions".curve_id must be unique and
    not NULL (legacy ids become the new ids): 1 value(s) appear more than once, 0 row(s)
    are NULL'. -#}
{% test legacy_key(model, column_name) %}

with

enforced as (
    select exists (
        select
        from pg_catalog.pg_index as indexes
        inner join pg_catalog.pg_attribute as key_columns
            on
                indexes.indrelid = key_columns.attrelid
                and indexes.indkey[0] = key_columns.attnum
        where
            indexes.indrelid = to_regclass('{{ model | string | replace("'", "''") }}')
            and indexes.indisunique
            and indexes.indisvalid
            and indexes.indisready
            and indexes.indpred is null
            and indexes.indexprs is null
            and indexes.indnkeyatts = 1
            and key_columns.attname = '{{ column_name }}'
            and key_columns.attnotnull
            -- PostgreSQL 18: a NOT NULL constraint added NOT VALID sets attnotnull unchecked
            and not exists (
                select
                from pg_catalog.pg_constraint as not_null_constraints
                where
                    not_null_constraints.conrelid = indexes.indrelid
                    and not_null_constraints.contype = 'n'
                    and not not_null_constraints.convalidated
                    and not_null_constraints.conkey = array[key_columns.attnum]
            )
    ) as by_catalog
),

offending as (
    select
        {{ column_name }} as key_value,
        count(*) as row_count
    from {{ model }}
    where not (select enforced.by_catalog from enforced)
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
),

summary as (
    select
        count(*) filter (where key_value is not null) as duplicated_values,
        coalesce(sum(row_count) filter (where key_value is null), 0) as null_rows
    from offending
)

select
    duplicated_values,
    null_rows,
    '{{ model.include(database=false) | string | replace("'", "''") }}.{{ column_name }}'
    || ' must be unique and not NULL (legacy ids become the new ids): '
    || duplicated_values || ' value(s) appear more than once, '
    || null_rows || ' row(s) are NULL' as failure
from summary
where duplicated_values > 0 or null_rows > 0

{% endtest %}
