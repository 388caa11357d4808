-- depends_on: {{ ref('stg_legacy__curve_definitions') }}
-- The legacy curve_definitions, read from the new tables: same columns, same order, same
-- types (read from the staging view of the legacy table when this view is built), same values.
-- A migrated curve returns the legacy row kept in CurveDefinition.metadata->'legacy';
-- a curve the application added maps its new columns back onto the legacy ones.
{%- set app_columns = {
    'curve_id': 'id',
    'mark_type': 'product',
    'location': 'location',
    'market': 'market',
    'granularity': 'granularity',
    'created_at': '"createdAt"',
} %}
{%- set legacy_columns = adapter.get_columns_in_relation(ref('stg_legacy__curve_definitions')) if execute else [] %}

with

definitions as (
    select * from {{ ref('CurveDefinition') }}
),

final as (
    select
    {%- for column in legacy_columns %}
        case
            when definitions.metadata ->> 'source' = '{{ migration_marker() }}'
                then definitions.metadata -> 'legacy' ->> '{{ column.name }}'
            else {{ app_columns.get(column.name, 'null') }}::text
        end::{{ column.data_type }} as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from definitions
)

select * from final
