-- Reconciliation totals per legacy table: legacy rows = rows migrated as a row of their own
-- + rows listed in migration_exceptions; unaccounted_rows must be 0. target_rows counts
-- everything in the new table (including default schedules and application rows).

with

legacy_curves as (
    select curve_id from {{ ref('stg_legacy__curve_definitions') }}
),

legacy_prices as (
    select id from {{ ref('stg_legacy__price_forecasts') }}
),

legacy_schedules as (
    select schedule_id from {{ ref('stg_legacy__curve_schedule') }}
),

exceptions as (
    select
        source_table,
        count(*) as exception_rows
    from {{ ref('migration_exceptions') }}
    group by source_table
),

definitions as (
    select * from {{ ref('CurveDefinition') }}
),

instances as (
    select * from {{ ref('CurveInstance') }}
),

prices as (
    select * from {{ ref('PriceForecast') }}
),

schedules as (
    select * from {{ ref('CurveSchedule') }}
),

migrated_curves as (
    select count(*) as migrated_rows
    from definitions
    where
        metadata ->> 'source' = '{{ migration_marker() }}'
        and id in (select legacy_curves.curve_id from legacy_curves)
),

migrated_prices as (
    select count(*) as migrated_rows
    from prices
    inner join instances
        on prices.curve_instance_id = instances.id
    where
        instances.metadata ->> 'source' = '{{ migration_marker() }}'
        and prices.id in (select legacy_prices.id from legacy_prices)
),

migrated_schedules as (
    -- a legacy schedule becomes a row of its own when it is the one its curve keeps
    select count(*) as migrated_rows
    from schedules
    where
        metadata ->> 'source' = '{{ migration_marker() }}'
        and metadata ->> 'origin' = 'legacy_schedule'
        and (metadata ->> 'legacyScheduleId')::bigint in (
            select legacy_schedules.schedule_id from legacy_schedules
        )
),

totals as (
    select
        1 as sort_order,
        'curve_definitions' as legacy_table,
        'CurveDefinition' as target_table,
        (select count(*) from legacy_curves) as legacy_rows,
        (select migrated_curves.migrated_rows from migrated_curves) as migrated_rows,
        (select count(*) from definitions) as target_rows
    union all
    select
        2 as sort_order,
        'price_forecasts' as legacy_table,
        'PriceForecast' as target_table,
        (select count(*) from legacy_prices) as legacy_rows,
        (select migrated_prices.migrated_rows from migrated_prices) as migrated_rows,
        (select count(*) from prices) as target_rows
    union all
    select
        3 as sort_order,
        'curve_schedule' as legacy_table,
        'CurveSchedule' as target_table,
        (select count(*) from legacy_schedules) as legacy_rows,
        (select migrated_schedules.migrated_rows from migrated_schedules) as migrated_rows,
        (select count(*) from schedules) as target_rows
)

select
    totals.legacy_table,
    totals.legacy_rows,
    totals.migrated_rows,
    coalesce(exceptions.exception_rows, 0) as exception_rows,
    (
        totals.legacy_rows - totals.migrated_rows - coalesce(exceptions.exception_rows, 0)
    ) as unaccounted_rows,
    totals.target_table,
    totals.target_rows
from totals
left join exceptions
    on totals.legacy_table = exceptions.source_table
order by totals.sort_order
