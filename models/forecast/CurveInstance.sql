-- Analyzed right after it is written: PriceForecast joins every legacy price row to this
-- table in the same run, and without statistics the planner may pick a nested loop.
{{ config(
    unique_key = 'id',
    incremental_strategy = 'upsert',
    upsert_keep_columns = ['createdAt', 'instanceVersion', 'createdBy'],
    upsert_touch_columns = ['updatedAt'],
    post_hook = ["analyze {{ this }}"],
) }}

with

runs as (
    select * from {{ ref('int_forecast_runs_summarised') }}
),

definitions as (
    select id from {{ ref('CurveDefinition') }}
),

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

derived as (
    select
        runs.*,
        -- what a price row of the run is compared with when its denormalised copies are
        -- kept (PriceForecast.flags): set when the instance is created, then never changed,
        -- so a flag keeps its meaning whatever later rows or curve edits bring
        jsonb_build_object(
            'units', runs.units,
            'location', curves.location,
            'mark_case', curves.mark_case,
            'curve_creator', curves.curve_creator,
            'granularity', curves.granularity
        ) as baseline,
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'legacyRunKey', runs.run_key,
            'legacyCurveId', runs.curve_id,
            'legacyMarkDate', runs.forecast_run_date,
            'legacyValueType', runs.value_type,
            'legacyValueTypeKey', runs.value_type_key,
            'legacyPriceRows', runs.price_rows,
            'unitsFromPrices', runs.units,
            'supersededByRunDate', runs.next_run_date
        ) as metadata
    from runs
    inner join definitions
        on runs.curve_id = definitions.id
    inner join curves
        on runs.curve_id = curves.curve_id
),

{% if is_incremental() %}
    existing as (
        select
            id,
            curve_definition_id,
            "instanceVersion",
            metadata
        from {{ this }}
    ),

    kept as (
        -- a run already migrated keeps its id, version and baseline
        select
            derived.*,
            existing.id as existing_id,
            existing."instanceVersion" as existing_version,
            derived.metadata || jsonb_build_object(
                'legacyBaseline', coalesce(existing.metadata -> 'legacyBaseline', derived.baseline)
            ) as kept_metadata,
            existing.metadata as existing_metadata
        from derived
        left join existing
            on
                existing.metadata ->> 'source' = '{{ migration_marker() }}'
                and derived.run_key = existing.metadata ->> 'legacyRunKey'
    ),

    matched as (
        -- rewritten only when its legacy rows changed (late rows, corrections, or a later
        -- run superseding it)
        select kept.*
        from kept
        where kept.existing_metadata is distinct from kept.kept_metadata
    ),

    versions_in_use as (
        select
            curve_definition_id,
            max("instanceVersion") as max_version
        from existing
        group by curve_definition_id
    ),

    versioned as (
        select
            matched.*,
            coalesce(
                matched.existing_version,
                coalesce(versions_in_use.max_version, 0) + row_number() over (
                    partition by matched.curve_id, matched.existing_id is null
                    order by matched.run_ordinal
                )
            ) as instance_version
        from matched
        left join versions_in_use
            on matched.curve_id = versions_in_use.curve_definition_id
    ),
{% else %}
    versioned as (
        select
            derived.*,
            null::integer as existing_id,
            derived.run_ordinal as instance_version,
            derived.metadata || jsonb_build_object('legacyBaseline', derived.baseline) as kept_metadata
        from derived
    ),
{% endif %}

in_run_order as (
    -- new instances draw their ids in the order of their runs, whatever order the
    -- counts arrive in
    select * from versioned
    order by curve_id, run_ordinal
),

final as (
    select
        coalesce(existing_id, nextval(pg_get_serial_sequence('{{ this }}', 'id')))::integer as id,
        curve_id as curve_definition_id,
        instance_version::integer as "instanceVersion",
        delivery_period_start as "deliveryPeriodStart",
        delivery_period_end as "deliveryPeriodEnd",
        forecast_run_date as "forecastRunDate",
        forecast_run_date as "freshnessStartDate",
        next_run_date as "freshnessEndDate",
        case
            when next_run_date is null then 'ACTIVE'
            else 'SUPERSEDED'
        end::"InstanceStatus" as status,
        null::text as "modelType",
        null::text as "modelVersion",
        'BACKFILL'::"RunType" as "runType",
        '{{ migration_marker() }}'::text as "createdBy",
        null::text as "approvedBy",
        null::timestamp as "approvedAt",
        null::text as notes,
        kept_metadata as metadata,
        {{ run_started_at_literal() }} as "createdAt",
        {{ run_started_at_literal() }} as "updatedAt"
    from in_run_order
)

select * from final
