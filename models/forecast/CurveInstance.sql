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

kept_baselines as (
    -- what a price row of a run is compared with when its denormalised copies are kept
    -- (PriceForecast.flags): set when the instance is made, then never changed, so a flag
    -- keeps its meaning whatever later rows or curve edits bring
    {% if is_incremental() %}
        select
            metadata ->> 'legacyRunKey' as run_key,
            metadata -> 'legacyBaseline' as baseline
        from {{ this }}
        where metadata ->> 'source' = '{{ migration_marker() }}'
    {% else %}
        select
            null::text as run_key,
            null::jsonb as baseline
        where false
    {% endif %}
),

derived as (
    select
        runs.*,
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'legacyRunKey', runs.run_key,
            'legacyCurveId', runs.curve_id,
            'legacyMarkDate', runs.forecast_run_date,
            'legacyValueType', runs.value_type,
            'legacyValueTypeKey', runs.value_type_key,
            'legacyPriceRows', runs.price_rows,
            'unitsFromPrices', runs.units,
            'supersededByRunDate', runs.next_run_date,
            'legacyBaseline', coalesce(
                kept_baselines.baseline,
                jsonb_build_object(
                    'units', runs.units,
                    'location', curves.location,
                    'mark_case', curves.mark_case,
                    'curve_creator', curves.curve_creator,
                    'granularity', curves.granularity
                )
            )
        ) as metadata
    from runs
    inner join definitions
        on runs.curve_id = definitions.id
    inner join curves
        on runs.curve_id = curves.curve_id
    left join kept_baselines
        on runs.run_key = kept_baselines.run_key
),

-- a run already migrated keeps its id and version; it is rewritten only when its legacy
-- rows changed (late rows, or a later run superseding it)
matched as (
    {{ match_existing_rows(
        'derived',
        'derived.run_key',
        "existing.metadata ->> 'legacyRunKey'",
        {'"instanceVersion"': 'existing_version'},
    ) | indent(4) }}
),

versions_in_use as (
    -- the highest version of each curve's instances, the application's included
    {% if is_incremental() %}
        select
            curve_definition_id,
            max("instanceVersion") as max_version
        from {{ this }}
        group by curve_definition_id
    {% else %}
        select
            null::integer as curve_definition_id,
            null::integer as max_version
        where false
    {% endif %}
),

versioned as (
    -- a new run takes the next free versions of its curve, in the order of its runs
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

in_run_order as (
    -- new instances draw their ids in the order of their runs, whatever order the
    -- counts arrive in
    select * from versioned
    order by curve_id, run_ordinal
),

final as (
    select
        {{ existing_or_next_id('existing_id') }} as id,
        curve_id as curve_definition_id,
        instance_version::integer as "instanceVersion",
        delivery_period_start as "deliveryPeriodStart",
        delivery_period_end as "deliveryPeriodEnd",
        forecast_run_date as "forecastRunDate",
        forecast_run_date as "freshnessStartDate",
        next_run_date as "freshnessEndDate",
        instance_status::"InstanceStatus" as status,
        null::text as "modelType",
        null::text as "modelVersion",
        'BACKFILL'::"RunType" as "runType",
        '{{ migration_marker() }}'::text as "createdBy",
        null::text as "approvedBy",
        null::timestamp as "approvedAt",
        null::text as notes,
        metadata,
        {{ run_started_at_literal() }} as "createdAt",
        {{ run_started_at_literal() }} as "updatedAt"
    from in_run_order
)

select * from final
