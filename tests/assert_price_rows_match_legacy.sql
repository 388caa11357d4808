-- Nothing lost, backward compatible: every legacy price row, every column, is what
-- price_forecasts_compat returns for its id, once, and the compat view returns no legacy id
-- that the legacy table lacks, but for a row deleted since this build's batch read the legacy
-- table (assert_deleted_price_rows_are_listed warns about those). Rows the old application
-- wrote after the batch read the legacy table are the next batch's: they are left out on both
-- sides, so a build that runs while the old application writes still passes.
--
-- Read from the verification ledger (price_chunk_checksums): a chunk of price rows whose
-- version has not changed since its checksums were taken is as they say. Only the chunks of
-- price_chunks_to_compare (checksums that differ, or a version changed since) are compared row
-- by row, and every row that differs is named; no price row is read when there is none.
{{ config(tags = ['full_pass']) }}
-- depends_on: {{ ref('price_chunk_versions') }} (read through price_chunks_to_compare)
{%- set bits = var('price_chunk_bits') %}

with

batch as (
    select batches.* from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc limit 1
),

suspect as (
    select * from {{ ref('price_chunks_to_compare') }}
),

bounds as (
    select
        min(suspect.first_id) as first_id,
        max(suspect.last_id) as last_id
    from suspect
),

legacy as (
    select
        staged.*,
        coalesce(
            {{ row_changed_since('staged.row_version', '(select batch.snapshot from batch)') | indent(12) }},
            false
        ) as changed_since_the_batch
    from {{ ref('stg_legacy__price_forecasts') }} as staged
    where
        staged.id between (select bounds.first_id from bounds) and (select bounds.last_id from bounds)
        and staged.id >> {{ bits }} in (select suspect.chunk from suspect)
),

compat as (
    -- the legacy ids: below the application's range, or a legacy row kept with an id in it
    select compat_rows.* from {{ ref('price_forecasts_compat') }} as compat_rows
    where
        compat_rows.id between (select bounds.first_id from bounds) and (select bounds.last_id from bounds)
        and compat_rows.id >> {{ bits }} in (select suspect.chunk from suspect)
        and compat_rows.id not in (
            select legacy.id from legacy
            where legacy.changed_since_the_batch
        )
        and case
            when {{ below_application_id_range('compat_rows.id', ref('PriceForecast')) }} then true
            else exists (
                select 1 from {{ ref('migration_exceptions') }} as listed
                where listed.source_table = 'price_forecasts' and listed.source_id = compat_rows.id
            )
        end
),

differing_rows as (
    select
        coalesce(legacy_side.id, compat.id) as id,
        case
            when legacy_side.id is null and not exists (
                select 1 from {{ ref('stg_legacy__price_forecasts') }} as still
                where still.id = compat.id
            ) then 'deleted since the batch'
            when legacy_side.id is null then 'only in price_forecasts_compat'
            when compat.id is null then 'only in the legacy table'
            else 'different values'
        end as difference
    from (
        select settled.* from legacy as settled
        where not settled.changed_since_the_batch
    ) as legacy_side
    full outer join compat
        on legacy_side.id = compat.id
    where
        legacy_side.id is null
        or compat.id is null
        or {{ price_row_fingerprint('legacy_side') }} <> {{ price_row_fingerprint('compat') }}
),

repeated_rows as (
    -- an id the view returns more than once (each copy may equal the legacy row)
    select
        compat.id,
        'returned ' || count(*) || ' times by price_forecasts_compat' as difference
    from compat
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
    'the checksums of price rows ' || first_id || ' to ' || last_id
    || ' differ between the legacy table and price_forecasts_compat' as failure
from suspect
where
    checksums_differ
    and not exists (
        select 1 from differing_rows
        where differing_rows.id >> {{ bits }} = suspect.chunk
    )
    -- the ledger's compat side keeps the rows of ids written after the batch (the next
    -- batch's): their chunk's checksums differ, and its rows were compared one by one above
    and not exists (
        select 1 from legacy
        where legacy.changed_since_the_batch and legacy.id >> {{ bits }} = suspect.chunk
    )
