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

listed as (
    select * from {{ ref('migration_exceptions') }}
    where source_table = 'curve_schedule'
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

kept_in_exceptions as (
    select
    {{- legacy_typed(columns, legacy_row_fields(columns, 'listed.legacy_row')) | indent(4) }}
    from listed
    where
        listed.legacy_row is not null
        and listed.source_id not in (
            select (kept.legacy_schedule ->> 'schedule_id')::integer from kept
        )
),

final as (
    select * from migrated
    union all
    select * from kept_in_exceptions
)

select * from final
