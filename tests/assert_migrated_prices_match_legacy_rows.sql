-- Every migrated price row carries its legacy row's id, flow_date_start and value exactly,
-- and sits in an instance of the legacy row's curve.
--
-- Checked per curve first, with one aggregate pass over each side: the count and the sum of
-- a 64-bit hash of (id, curve, timestamp, value) per row, over the migrated rows and over
-- the legacy rows not listed in migration_exceptions. Equal sums mean equal rows (a change
-- in any field of any row changes the sum, bar a 2^-64 coincidence). Only for a curve whose
-- sums differ are the rows joined one by one, to name the rows that differ; a curve with a
-- row missing or extra on one side is named as a whole (assert_prices_reconcile_per_curve
-- counts those).

with

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

-- not materialized: read again only for a curve that differs, and not written aside on
-- the way (two references would otherwise make PostgreSQL spool every row to disk)
migrated as not materialized (
    select
        prices.id,
        migrated_instances.curve_definition_id as curve_id,
        prices.timestamp as flow_date_start,
        prices.value
    from {{ ref('PriceForecast') }} as prices
    inner join migrated_instances
        on prices.curve_instance_id = migrated_instances.id
),

legacy as not materialized (
    select
        id,
        curve_id,
        flow_date_start,
        value
    from {{ ref('stg_legacy__price_forecasts') }}
),

migrated_per_curve as (
    select
        curve_id,
        count(*) as row_count,
        sum({{ price_row_fingerprint('id', 'curve_id', 'flow_date_start', 'value') }}) as fingerprint
    from migrated
    group by curve_id
),

legacy_per_curve as (
    select
        legacy.curve_id,
        count(*) as row_count,
        sum({{ price_row_fingerprint('legacy.id', 'legacy.curve_id', 'legacy.flow_date_start', 'legacy.value') }})
            as fingerprint
    from legacy
    where legacy.id not in (select excepted.id from excepted)
    group by legacy.curve_id
),

differing_curves as (
    select coalesce(migrated_per_curve.curve_id, legacy_per_curve.curve_id) as curve_id
    from migrated_per_curve
    full outer join legacy_per_curve
        on migrated_per_curve.curve_id = legacy_per_curve.curve_id
    where
        migrated_per_curve.row_count is distinct from legacy_per_curve.row_count
        or migrated_per_curve.fingerprint is distinct from legacy_per_curve.fingerprint
),

differing_rows as (
    -- read only when a curve differs
    select
        migrated.id,
        migrated.curve_id
    from migrated
    left join legacy
        on migrated.id = legacy.id
    where
        exists (select 1 from differing_curves)
        and (
            legacy.id is null
            or migrated.flow_date_start is distinct from legacy.flow_date_start
            or migrated.value is distinct from legacy.value
            or migrated.curve_id is distinct from legacy.curve_id
        )
)

select
    id,
    'PriceForecast ' || id || ' differs from its legacy row' as failure
from differing_rows

union all

select
    null as id,
    'the migrated rows of curve ' || coalesce(curve_id::text, 'NULL')
    || ' do not match its legacy rows (a row differs, or is missing or extra)' as failure
from differing_curves
where curve_id not in (select differing_rows.curve_id from differing_rows)
