-- Nothing lost, backward compatible: every legacy price row, every column, is what
-- price_forecasts_compat returns for its id (the migrated row rebuilt from PriceForecast, or
-- the legacy row migration_exceptions keeps), and the compat view returns no legacy id that
-- the legacy table lacks, but for a row deleted since this build's batch read the legacy
-- table (assert_deleted_price_rows_are_listed warns about those). Rows the old application
-- wrote after the batch read the legacy table are the next batch's: they are left out on
-- both sides, so a build that runs while the old application writes still passes.
--
-- Compared per curve first, one aggregate pass over each side (the row count and the sum of
-- a 64-bit hash of every column); only a curve whose sums differ is compared row by row.
{{ config(tags = ['full_pass']) }}
{#- rows without a curve (excepted) are one more group -#}
{%- set null_curve = -2147483648 %}

with

batch as (
    -- this build's batch: what it read of the legacy table
    select batches.snapshot from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc
    limit 1
),

legacy as not materialized (
    select
        staged.*,
        coalesce(
            {{ row_changed_since('staged.row_version', '(select batch.snapshot from batch)') | indent(8) }},
            false
        ) as changed_since_the_batch
    from {{ ref('stg_legacy__price_forecasts') }} as staged
),

compat as not materialized (
    -- the legacy ids: below the application's range, or a legacy row kept with an id in it
    select * from {{ ref('price_forecasts_compat') }} as compat_rows
    where case
        when {{ below_application_id_range('compat_rows.id', ref('PriceForecast')) }} then true
        else exists (
            select 1 from {{ ref('migration_exceptions') }} as listed
            where listed.source_table = 'price_forecasts' and listed.source_id = compat_rows.id
        )
    end
),

legacy_per_curve as (
    select
        legacy.curve_id,
        count(*) filter (where not legacy.changed_since_the_batch) as row_count,
        sum({{ price_row_fingerprint('legacy') }}) filter (where not legacy.changed_since_the_batch) as fingerprint,
        array_agg(legacy.id) filter (where legacy.changed_since_the_batch) as changed_ids
    from legacy
    group by legacy.curve_id
),

changed as (
    select unnest(changed_ids) as id from legacy_per_curve
),

compat_per_curve as (
    select
        compat.curve_id,
        count(*) as row_count,
        sum({{ price_row_fingerprint('compat') }}) as fingerprint
    from compat
    where compat.id not in (select changed.id from changed)
    group by compat.curve_id
),

differing_curves as (
    select coalesce(legacy_per_curve.curve_id, compat_per_curve.curve_id) as curve_id
    from legacy_per_curve
    full outer join compat_per_curve
        on coalesce(legacy_per_curve.curve_id, {{ null_curve }}) = coalesce(compat_per_curve.curve_id, {{ null_curve }})
    where
        coalesce(legacy_per_curve.row_count, 0) <> coalesce(compat_per_curve.row_count, 0)
        or legacy_per_curve.fingerprint is distinct from compat_per_curve.fingerprint
),

differing_rows as (
    -- the rows of the curves that differ (none read when no curve differs)
    select
        coalesce(legacy_side.id, compat_side.id) as id,
        case
            when legacy_side.id is null and not exists (
                select 1 from {{ ref('stg_legacy__price_forecasts') }} as still
                where still.id = compat_side.id
            ) then 'deleted since the batch'
            when legacy_side.id is null then 'only in price_forecasts_compat'
            when compat_side.id is null then 'only in the legacy table'
            else 'different values'
        end as difference
    from (
        select * from legacy
        where
            not changed_since_the_batch
            and coalesce(curve_id, {{ null_curve }}) = any(array(
                select coalesce(differing_curves.curve_id, {{ null_curve }}) from differing_curves
            ))
    ) as legacy_side
    full outer join (
        select * from compat
        where
            id not in (select changed.id from changed)
            and coalesce(curve_id, {{ null_curve }}) = any(array(
                select coalesce(differing_curves.curve_id, {{ null_curve }}) from differing_curves
            ))
    ) as compat_side
        on legacy_side.id = compat_side.id
    where
        legacy_side.id is null
        or compat_side.id is null
        or {{ price_row_fingerprint('legacy_side') }} <> {{ price_row_fingerprint('compat_side') }}
),

repeated_rows as (
    -- an id the view returns more than once (each copy may equal the legacy row)
    select
        compat.id,
        'returned ' || count(*) || ' times by price_forecasts_compat' as difference
    from compat
    where
        compat.id not in (select changed.id from changed)
        and coalesce(compat.curve_id, {{ null_curve }}) = any(array(
            select coalesce(differing_curves.curve_id, {{ null_curve }}) from differing_curves
        ))
    group by compat.id
    having count(*) > 1
),

named_rows as (
    select * from differing_rows
    where difference <> 'deleted since the batch'
    union all
    select * from repeated_rows
)

select
    id,
    'legacy price row ' || id || ': ' || difference as failure
from named_rows

union all

select
    null as id,
    'the price rows of curve ' || coalesce(curve_id::text, 'NULL')
    || ' differ between the legacy table and price_forecasts_compat' as failure
from differing_curves
where not exists (select 1 from named_rows)
