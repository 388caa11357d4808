-- The legacy price rows this build's batch carried over are each what price_forecasts_compat
-- returns for its id, once, every column exactly (macro price_row_fingerprint). Both sides
-- are read by id, so the test costs what the batch costs. A row written again since the batch
-- read it is the next batch's and is left out; a batch that read every row (the first) is
-- assert_price_rows_match_legacy's. `forecast-migrate cutover` verifies its carry-over with
-- this test while the legacy tables are locked; the tests tagged full_pass ran just before.

with

batch as (
    select
        batches.changed_price_ids,
        batches.snapshot
    from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc
    limit 1
),

settled as (
    select legacy_rows.*
    from {{ ref('stg_legacy__price_forecasts') }} as legacy_rows
    where
        legacy_rows.id = any((select batch.changed_price_ids from batch)::integer[])
        and not coalesce(
            {{ row_changed_since('legacy_rows.row_version', '(select batch.snapshot from batch)') | indent(12) }},
            false
        )
),

compat as (
    select compat_rows.*
    from {{ ref('price_forecasts_compat') }} as compat_rows
    where compat_rows.id = any((select batch.changed_price_ids from batch)::integer[])
),

differences as (
    select
        settled.id,
        case
            when compat.id is null then 'not returned by price_forecasts_compat'
            else 'different values in price_forecasts_compat'
        end as difference
    from settled
    left join compat
        on settled.id = compat.id
    where
        compat.id is null
        or {{ price_row_fingerprint('settled') }} <> {{ price_row_fingerprint('compat') }}
    union all
    select
        compat.id,
        'returned ' || count(*) || ' times by price_forecasts_compat' as difference
    from compat
    where compat.id in (select settled.id from settled)
    group by compat.id
    having count(*) > 1
)

select
    id,
    'legacy price row ' || id || ': ' || difference as failure
from differences
