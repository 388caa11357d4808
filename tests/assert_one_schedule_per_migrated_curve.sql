-- Every migrated curve has exactly one schedule written by the migration.

with

migrated_curves as (
    select id from {{ ref('CurveDefinition') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

migrated_schedules as (
    select curve_definition_id from {{ ref('CurveSchedule') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

counted as (
    select
        migrated_curves.id as curve_definition_id,
        count(migrated_schedules.curve_definition_id) as schedules
    from migrated_curves
    left join migrated_schedules
        on migrated_curves.id = migrated_schedules.curve_definition_id
    group by migrated_curves.id
)

select
    curve_definition_id,
    'curve ' || curve_definition_id || ' has ' || schedules || ' migrated schedules, expected 1' as failure
from counted
where schedules <> 1
