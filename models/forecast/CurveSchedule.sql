{{ config(
    unique_key = 'id',
    incremental_strategy = 'upsert',
    upsert_keep_columns = ['createdAt'],
    upsert_touch_columns = ['updatedAt'],
) }}

-- Exactly one schedule per migrated curve: its active legacy schedule where it has one,
-- else the product's default rule (seed product_defaults). Every legacy schedule of the
-- curve is kept in metadata.

with

chosen as (
    select * from {{ ref('int_curve_schedules_chosen') }}
),

definitions as (
    select id from {{ ref('CurveDefinition') }}
),

derived as (
    select
        chosen.*,
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'origin', chosen.schedule_origin,
            'legacyCurveId', chosen.curve_id,
            'legacyScheduleId', chosen.legacy_schedule_id,
            'legacySchedules', chosen.legacy_schedules
        ) as metadata
    from chosen
    inner join definitions
        on chosen.curve_id = definitions.id
),

-- a curve already migrated keeps its schedule's id; it is rewritten only when its legacy
-- schedules changed
matched as (
    {{ match_existing_rows('derived', 'derived.curve_id', 'existing.curve_definition_id') | indent(4) }}
),

final as (
    select
        {{ existing_or_next_id('existing_id') }} as id,
        curve_id as curve_definition_id,
        'REGULAR'::"ScheduleType" as "scheduleType",
        frequency::"UpdateFrequency" as frequency,
        null::integer as "dayOfWeek",
        day_of_month::integer as "dayOfMonth",
        '09:00'::text as "timeOfDay",
        0 as "leadTimeDays",
        freshness_hours::integer as "freshnessHours",
        'Market Analysis'::text as "responsibleTeam",
        3 as importance,
        true as "isActive",
        legacy_created_at_utc as "validFrom",
        null::timestamp as "validUntil",
        metadata,
        coalesce(legacy_created_at_utc, {{ run_started_at_literal() }}) as "createdAt",
        {{ run_started_at_literal() }} as "updatedAt"
    from matched
)

select * from final
