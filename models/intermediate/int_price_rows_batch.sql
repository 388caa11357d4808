-- The legacy price rows of this build's batch (price_load_batches), each with its forecast
-- run and, when it cannot be migrated, the reason (int_price_rows_classified): every row on
-- the first batch; after it, the rows written since the last batch PriceForecast loaded. A
-- view of the latest batch, read by id, in the version current when a model reads it. Which
-- of the two it reads is decided when a model reads the view, from the ledger: each branch
-- is gated on the batch's ids (a one-time filter), so the first load keeps its parallel plan
-- and a later one looks its few ids up by index.

with

batch as (
    select batches.changed_price_ids from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc
    limit 1
),

classified as (
    select * from {{ ref('int_price_rows_classified') }}
),

every_row as (
    -- the batch reads every row
    select classified.* from classified
    where (select batch.changed_price_ids is null from batch)
),

changed_rows as (
    select classified.* from classified
    where classified.id = any((select batch.changed_price_ids from batch)::integer[])
),

final as (
    select * from every_row
    union all
    select * from changed_rows
)

select * from final
