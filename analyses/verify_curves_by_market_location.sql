-- Runbook Step 4 "check curve instances": curves, instances and price rows in the new
-- tables per market and location (every row, migrated or written by the application), and
-- a last row `total`.

with

definitions as (
    select
        id,
        market,
        location
    from {{ ref('CurveDefinition') }}
),

instances as (
    select
        id,
        curve_definition_id
    from {{ ref('CurveInstance') }}
),

prices as (
    select curve_instance_id from {{ ref('PriceForecast') }}
),

instances_per_curve as (
    select
        curve_definition_id,
        count(*) as instances
    from instances
    group by curve_definition_id
),

prices_per_curve as (
    select
        instances.curve_definition_id,
        count(*) as prices
    from prices
    inner join instances
        on prices.curve_instance_id = instances.id
    group by instances.curve_definition_id
),

per_market_location as (
    select
        grouping(definitions.market) as is_total,
        case when grouping(definitions.market) = 1 then 'total' else definitions.market end as market,
        case when grouping(definitions.market) = 1 then '' else definitions.location end as location,
        count(*) as curves,
        coalesce(sum(instances_per_curve.instances), 0)::bigint as instances,
        coalesce(sum(prices_per_curve.prices), 0)::bigint as prices
    from definitions
    left join instances_per_curve
        on definitions.id = instances_per_curve.curve_definition_id
    left join prices_per_curve
        on definitions.id = prices_per_curve.curve_definition_id
    group by grouping sets ((definitions.market, definitions.location), ())
)

select
    market,
    location,
    curves,
    instances,
    prices
from per_market_location
order by is_total, market, location
