-- Per legacy curve: every legacy price row is either in PriceForecast or listed in
-- migration_exceptions (never both), and the migrated rows' count and sum of value equal
-- the legacy rows' that were not excepted. One aggregate pass over each big table: the
-- legacy rows, and the migrated rows (joined to their ~instances, not to each other).

with

legacy_prices as (
    select
        id,
        curve_id,
        value
    from {{ ref('stg_legacy__price_forecasts') }}
),

excepted as (
    select source_id as id from {{ ref('migration_exceptions') }}
    where source_table = 'price_forecasts'
),

migrated_instances as (
    select
        id,
        curve_definition_id
    from {{ ref('CurveInstance') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

legacy_per_curve as (
    select
        legacy_prices.curve_id,
        count(*) as legacy_rows,
        count(excepted.id) as excepted_rows,
        count(*) filter (where excepted.id is null) as expected_rows,
        coalesce(sum(legacy_prices.value) filter (where excepted.id is null), 0) as expected_sum
    from legacy_prices
    left join excepted
        on legacy_prices.id = excepted.id
    group by legacy_prices.curve_id
),

migrated_per_curve as (
    select
        migrated_instances.curve_definition_id as curve_id,
        count(*) as migrated_rows,
        sum(prices.value) as migrated_sum
    from {{ ref('PriceForecast') }} as prices
    inner join migrated_instances
        on prices.curve_instance_id = migrated_instances.id
    group by migrated_instances.curve_definition_id
),

both_migrated_and_excepted as (
    -- one primary key lookup per listed row
    select count(*) as rows_in_both
    from excepted
    where exists (
        select 1
        from {{ ref('PriceForecast') }} as prices
        inner join migrated_instances
            on prices.curve_instance_id = migrated_instances.id
        where prices.id = excepted.id
    )
),

compared as (
    select
        legacy_per_curve.curve_id,
        legacy_per_curve.legacy_rows,
        legacy_per_curve.excepted_rows,
        legacy_per_curve.expected_rows,
        coalesce(migrated_per_curve.migrated_rows, 0) as migrated_rows,
        legacy_per_curve.expected_sum,
        coalesce(migrated_per_curve.migrated_sum, 0) as migrated_sum
    from legacy_per_curve
    full outer join migrated_per_curve
        on legacy_per_curve.curve_id = migrated_per_curve.curve_id
)

select
    curve_id,
    'curve ' || coalesce(curve_id::text, 'NULL') || ': ' || legacy_rows || ' legacy rows, '
    || excepted_rows || ' excepted, ' || migrated_rows || ' migrated; value sums '
    || expected_sum || ' legacy vs ' || migrated_sum || ' migrated' as failure
from compared
where
    legacy_rows is null
    or migrated_rows <> expected_rows
    or abs(migrated_sum - expected_sum) > 1e-9 * greatest(1, abs(expected_sum))

union all

select
    null as curve_id,
    rows_in_both || ' price rows are both migrated and listed as exceptions' as failure
from both_migrated_and_excepted
where rows_in_both > 0
