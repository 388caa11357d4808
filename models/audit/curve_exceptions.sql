{{ config(materialized = 'view') }}

with

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

migrated_curves as (
    select id from {{ ref('CurveDefinition') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

not_migrated as (
    select
        curves.curve_id as source_id,
        case
            when not {{ below_application_id_range('curves.curve_id', ref('CurveDefinition')) }}
                then 'curve_id is in the application id range of CurveDefinition'
            else 'not migrated'
        end as reason
    from curves
    where curves.curve_id not in (select migrated_curves.id from migrated_curves)
),

deleted as (
    select
        migrated_curves.id as source_id,
        'deleted from the legacy table after it was migrated: CurveDefinition keeps the curve'
            as reason
    from migrated_curves
    where migrated_curves.id not in (select curves.curve_id from curves)
),

schedules as (
    select * from {{ ref('stg_legacy__curve_schedule') }}
),

chosen_schedules as (
    select * from {{ ref('int_curve_schedules_chosen') }}
),

curve_exceptions as (
    select * from not_migrated
    union all
    select * from deleted
),

schedule_exceptions as (
    select
        'curve_schedule' as source_table,
        schedules.schedule_id as source_id,
        case
            when schedules.curve_id not in (select migrated_curves.id from migrated_curves)
                then 'its curve was not migrated'
            when chosen_schedules.legacy_schedule_id = schedules.schedule_id
                then
                    'unknown update_frequency spelling ''' || schedules.update_frequency
                    || ''': the default rule was applied; the legacy row is kept in CurveSchedule.metadata'
            when not schedules.is_active_or_default
                then
                    'inactive: kept in CurveSchedule.metadata.legacySchedules of curve '
                    || schedules.curve_id
            else
                'another active schedule of curve ' || schedules.curve_id
                || ' is more recent: kept in CurveSchedule.metadata.legacySchedules'
        end as reason,
        -- the legacy columns only: the staging view's derived ones are left out
        to_jsonb(schedules) - array[
            'update_frequency_normalised', 'is_active_or_default', 'created_at_utc',
            'updated_at_utc', 'row_version'
        ] as legacy_row,
        null::jsonb as application_row
    from schedules
    left join chosen_schedules
        on schedules.curve_id = chosen_schedules.curve_id
    where
        chosen_schedules.legacy_schedule_id is distinct from schedules.schedule_id
        or chosen_schedules.has_unknown_spelling
        or schedules.curve_id not in (select migrated_curves.id from migrated_curves)
),

final as (
    select
        'curve_definitions' as source_table,
        curve_exceptions.source_id,
        curve_exceptions.reason,
        to_jsonb(curves) - 'row_version' as legacy_row,
        null::jsonb as application_row
    from curve_exceptions
    left join curves
        on curve_exceptions.source_id = curves.curve_id
    union all
    select * from schedule_exceptions
)

select * from final
