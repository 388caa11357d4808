-- The batch view holds exactly the legacy price rows the load ledger says this build's batch
-- carries over (its changed ids that are still in the legacy table), each once and classified
-- as int_price_rows_classified classifies them. A batch that reads every row is the whole
-- classified table: not compared here (assert_price_rows_match_legacy reads every row).

with

batch as (
    select batches.changed_price_ids from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc
    limit 1
),

expected as (
    select classified.*
    from {{ ref('int_price_rows_classified') }} as classified
    where classified.id = any((select batch.changed_price_ids from batch)::integer[])
),

actual as (
    -- read only when the batch holds its changed ids
    select * from {{ ref('int_price_rows_batch') }}
    where (select batch.changed_price_ids is not null from batch)
),

differences as (
    select
        id,
        'missing from the batch' as difference
    from (
        select * from expected
        except all
        select * from actual
    ) as only_expected
    union all
    select
        id,
        'in the batch but not a changed row of it' as difference
    from (
        select * from actual
        except all
        select * from expected
    ) as only_actual
)

select
    id,
    'legacy price row ' || id || ': ' || difference as failure
from differences
