-- Analyzed when written: PriceForecast joins every price row to it next (no nested loop).
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

kept_baselines as (
    -- what PriceForecast.flags compare a price row with: set when the instance is made and
    -- never changed, so a flag keeps its meaning whatever later rows or curve edits bring
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
        case
            when kept_baselines.baseline is null then runs.run_metadata
            else jsonb_set(runs.run_metadata, '{legacyBaseline}', kept_baselines.baseline)
        end as metadata
    from runs
    inner join definitions
        on runs.curve_id = definitions.id
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
    -- a new run takes the next free versions of its curve, in the order of its runs, and
    -- new instances draw their ids in that order, whatever order the counts arrive in
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
    order by matched.curve_id, matched.run_ordinal
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
    from versioned
)

select * from final
