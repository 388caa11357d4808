-- Nothing lost: every legacy curve and schedule is in the new tables (a curve as its
-- CurveDefinition, a schedule in its curve's CurveSchedule.metadata) or in
-- migration_exceptions. (Price rows: assert_prices_reconcile_per_curve.)

with

excepted as (
    select
        source_table,
        source_id
    from {{ ref('migration_exceptions') }}
),

definitions as (
    select id from {{ ref('CurveDefinition') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

kept_schedule_ids as (
    select (legacy_schedule ->> 'schedule_id')::bigint as schedule_id
    from {{ ref('CurveSchedule') }} as schedules
    cross join lateral jsonb_array_elements(schedules.metadata -> 'legacySchedules') as legacy_schedule
    where schedules.metadata ->> 'source' = '{{ migration_marker() }}'
),

lost_curves as (
    select
        'curve_definitions' as source_table,
        curve_id as source_id
    from {{ ref('stg_legacy__curve_definitions') }}
    where
        curve_id not in (select definitions.id from definitions)
        and curve_id not in (
            select excepted.source_id from excepted
            where excepted.source_table = 'curve_definitions'
        )
),

lost_schedules as (
    select
        'curve_schedule' as source_table,
        schedule_id as source_id
    from {{ ref('stg_legacy__curve_schedule') }}
    where
        schedule_id not in (select kept_schedule_ids.schedule_id from kept_schedule_ids)
        and schedule_id not in (
            select excepted.source_id from excepted
            where excepted.source_table = 'curve_schedule'
        )
)

select
    source_table,
    source_id,
    source_table || ' row ' || source_id || ' is neither migrated nor listed in migration_exceptions' as failure
from lost_curves
union all
select
    source_table,
    source_id,
    source_table || ' row ' || source_id || ' is neither migrated nor listed in migration_exceptions' as failure
from lost_schedules
