-- One row per legacy forecast run: (curve, run date, value_type) over the price rows that
-- can be migrated, with its delivery period, its place among the curve's runs of the
-- same value_type (the latest is ACTIVE, earlier ones end where the next one starts).

with

price_rows as (
    select * from {{ ref('int_price_rows_classified') }}
    where exception_reason is null
),

runs as (
    select
        curve_id,
        forecast_run_date,
        value_type_key,
        min(value_type) as value_type,
        count(*) as price_rows,
        min(flow_date_start) as delivery_period_start,
        max(flow_date_start) as delivery_period_end,
        (mode() within group (order by units))::text as units
    from price_rows
    group by curve_id, forecast_run_date, value_type_key
),

sequenced as (
    select
        runs.*,
        {{ forecast_run_key('curve_id', 'forecast_run_date', 'value_type_key') }} as run_key,
        lead(runs.forecast_run_date) over same_series as next_run_date,
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
)

select * from sequenced
