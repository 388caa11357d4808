-- The legacy curve_schedule, read from the new tables: the legacy columns, in order, with the
-- legacy types and values. Every legacy schedule of a migrated curve is kept in its curve's
-- CurveSchedule.metadata.legacySchedules (timestamps in UTC); a schedule of a curve the
-- migration did not take returns the row migration_exceptions keeps. A schedule the
-- application adds is not returned: CurveSchedule ids are not legacy schedule ids, so it
-- would take the id of another legacy schedule.
{%- set columns = legacy_columns('curve_schedule') %}
{%- set kept_columns = {
    'schedule_id': "kept.legacy_schedule ->> 'schedule_id'",
    'curve_id': 'kept.curve_definition_id',
    'update_frequency': "kept.legacy_schedule ->> 'update_frequency'",
    'next_update_due': "kept.legacy_schedule ->> 'next_update_due'",
    'last_successful_update': "kept.legacy_schedule ->> 'last_successful_update'",
    'is_active': "kept.legacy_schedule ->> 'is_active'",
    'created_at': "(kept.legacy_schedule ->> 'created_at_utc')::timestamp at time zone 'UTC'",
    'updated_at': "(kept.legacy_schedule ->> 'updated_at_utc')::timestamp at time zone 'UTC'",
} %}

with

schedules as (
    select * from {{ ref('CurveSchedule') }}
),

kept as (
    select
        schedules.curve_definition_id,
        legacy_schedule
    from schedules
    cross join lateral jsonb_array_elements(schedules.metadata -> 'legacySchedules') as legacy_schedule
    where schedules.metadata ->> 'source' = '{{ migration_marker() }}'
),

migrated as (
    select
    {{- legacy_typed(columns, kept_columns) | indent(4) }}
    from kept
),

listed as (
    -- the legacy schedules listed that no CurveSchedule keeps in its metadata
    select * from {{ ref('migration_exceptions') }}
    where
        source_table = 'curve_schedule'
        and source_id not in (
            select (kept.legacy_schedule ->> 'schedule_id')::integer from kept
        )
),

kept_in_exceptions as (
    {{ legacy_rows_kept_in_exceptions(columns, 'schedule_id') | indent(4) }}
),

final as (
    select * from migrated
    union all
    select * from kept_in_exceptions
)

select * from final
