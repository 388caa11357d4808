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

{% if is_incremental() %}
    matched as (
        select
            derived.*,
            existing.id as existing_id
        from derived
        left join {{ this }} as existing
            on
                existing.metadata ->> 'source' = '{{ migration_marker() }}'
                and derived.curve_id = existing.curve_definition_id
        where existing.metadata is distinct from derived.metadata
    ),
{% else %}
    matched as (
        select
            derived.*,
            null::integer as existing_id
        from derived
    ),
{% endif %}

final as (
    select
        coalesce(existing_id, nextval(pg_get_serial_sequence('{{ this }}', 'id')))::integer as id,
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
