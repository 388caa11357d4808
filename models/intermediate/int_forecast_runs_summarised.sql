-- One row per legacy forecast run: (curve, run date, value_type) over the price rows that
-- pass the per-row checks, with its delivery period, its most common units and its place
-- among the curve's runs of the same value_type (the latest is ACTIVE, earlier ones end
-- where the next one starts), and the CurveInstance metadata it carries, its baseline as the
-- curve is now. Read from int_price_rows_counted, which has already counted the legacy rows,
-- so this view never scans the legacy price table.

with

counted_runs as (
    select * from {{ ref('int_price_rows_counted') }}
    where exception_reason is null
),

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

runs as (
    select
        curve_id,
        forecast_run_date,
        coalesce('v:' || value_type, 'null') as value_type_key,
        value_type,
        price_rows,
        first_flow_date_start as delivery_period_start,
        last_flow_date_start as delivery_period_end,
        (
            -- the most common units, the first in sort order on a tie (as mode() picks)
            select units_count.key
            from jsonb_each_text(counted_runs.units_counts) as units_count
            order by units_count.value::bigint desc, units_count.key asc
            limit 1
        ) as units
    from counted_runs
),

sequenced as (
    select
        runs.*,
        {{ forecast_run_key('curve_id', 'forecast_run_date', 'value_type_key') }} as run_key,
        lead(runs.forecast_run_date) over same_series as next_run_date,
        case
            when lead(runs.forecast_run_date) over same_series is null then 'ACTIVE'
            else 'SUPERSEDED'
        end as instance_status,
        row_number() over (
            partition by runs.curve_id
            order by runs.forecast_run_date, runs.value_type_key
        ) as run_ordinal,
        row_number() over (
            partition by runs.curve_id
            order by runs.forecast_run_date desc, runs.value_type_key asc
        ) as recency_rank
    from runs
    window same_series as (partition by curve_id, value_type_key order by forecast_run_date)
),

final as (
    select
        sequenced.*,
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'legacyRunKey', sequenced.run_key,
            'legacyCurveId', sequenced.curve_id,
            'legacyMarkDate', sequenced.forecast_run_date,
            'legacyValueType', sequenced.value_type,
            'legacyValueTypeKey', sequenced.value_type_key,
            'legacyPriceRows', sequenced.price_rows,
            'unitsFromPrices', sequenced.units,
            'supersededByRunDate', sequenced.next_run_date,
            'legacyBaseline', jsonb_build_object(
                'units', sequenced.units,
                'location', curves.location,
                'mark_case', curves.mark_case,
                'curve_creator', curves.curve_creator,
                'granularity', curves.granularity
            )
        ) as run_metadata
    from sequenced
    inner join curves
        on sequenced.curve_id = curves.curve_id
)

select * from final
