-- Readiness report (runbook Step 1): legacy price rows per market and location of their
-- curve, how many of them can be migrated, and the hours they cover.

with

prices as (
    select * from {{ source('legacy', 'price_forecasts') }}
),

curves as (
    select * from {{ source('legacy', 'curve_definitions') }}
),

unmigratable as (
    {{ unmigratable_price_rows_query(source('legacy', 'price_forecasts'), source('legacy', 'curve_definitions')) | indent(4) }}
),

classified as (
    select
        prices.id,
        prices.curve_id,
        prices.location,
        prices.flow_date_start,
        unmigratable.exception_reason
    from prices
    left join unmigratable
        on prices.id = unmigratable.id
)

select
    coalesce(
        curves.market,
        case when classified.curve_id is null then '(no curve)' else '(NULL)' end
    ) as market,
    coalesce(curves.location, classified.location, '(NULL)') as location,
    count(distinct classified.curve_id) as curve_count,
    count(*) as row_count,
    count(*) filter (where classified.exception_reason is null) as migratable_rows,
    min(classified.flow_date_start) as first_hour,
    max(classified.flow_date_start) as last_hour
from classified
left join curves
    on classified.curve_id = curves.curve_id
group by 1, 2
order by 1, 2
