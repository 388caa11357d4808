-- The legacy curve_definitions, read from the new tables: the legacy columns, in order, with
-- the legacy types (read from the legacy table when the view is built) and the legacy
-- values. A migrated curve returns the legacy row kept in CurveDefinition.metadata.legacy; a
-- legacy curve the migration did not take returns the row migration_exceptions keeps; a
-- curve the application added maps its columns onto the legacy ones; a curve deleted from
-- the legacy table after the migration is not returned.
{%- set columns = legacy_columns('curve_definitions') %}
{%- set application_columns = {
    'curve_id': 'id',
    'mark_type': 'product',
    'location': 'location',
    'market': 'market',
    'granularity': 'granularity',
    'created_at': '"createdAt"',
} %}

with

definitions as (
    select * from {{ ref('CurveDefinition') }}
),

listed as (
    select * from {{ ref('migration_exceptions') }}
    where source_table = 'curve_definitions'
),

migrated as (
    select
    {{- legacy_typed(columns, legacy_row_fields(columns, "definitions.metadata -> 'legacy'")) | indent(4) }}
    from definitions
    where
        definitions.metadata ->> 'source' = '{{ migration_marker() }}'
        and definitions.id not in (select listed.source_id from listed)
),

added_by_the_application as (
    select
    {{- legacy_typed(columns, application_columns) | indent(4) }}
    from definitions
    where
        definitions.metadata ->> 'source' is distinct from '{{ migration_marker() }}'
        and definitions.id not in (select listed.source_id from listed)
),

kept_in_exceptions as (
    {{ legacy_rows_kept_in_exceptions(columns, 'curve_id') | indent(4) }}
),

final as (
    select * from migrated
    union all
    select * from added_by_the_application
    union all
    select * from kept_in_exceptions
)

select * from final
