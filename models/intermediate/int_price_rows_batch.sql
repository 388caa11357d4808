-- The legacy price rows of this build's batch (price_load_batches), each with its forecast
-- run and, when it cannot be migrated, the reason (int_price_rows_classified): every row on
-- the first batch; after it, the rows written since the last batch PriceForecast loaded. A
-- view of the latest batch, in the version current when a model reads it. Which of the two
-- it reads is decided from the ledger when a model reads the view: each branch is gated by
-- a one-time filter, and each reads the classified view itself (a CTE read twice would be
-- materialized: every row, on every build).

with

batch as (
    select batches.changed_price_ids from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc
    limit 1
),

every_row as (
    -- the batch reads every row
    select classified.* from {{ ref('int_price_rows_classified') }} as classified
    where (select batch.changed_price_ids is null from batch)
),

changed_rows as (
    -- else its changed ids, by index
    select classified.* from {{ ref('int_price_rows_classified') }} as classified
    where classified.id = any((select batch.changed_price_ids from batch)::integer[])
),

final as (
    select * from every_row
    union all
    select * from changed_rows
)

select * from final
