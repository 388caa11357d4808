-- The batch view holds exactly the legacy price rows the load ledger says this build's batch
-- carries over (its changed ids that are still in the legacy table), each once and classified
-- as int_price_rows_classified classifies them. A batch that reads every row is the whole
-- classified table: not compared here (assert_price_rows_match_legacy reads every row).
{%- set batch = price_batch_state().current %}
{%- set compared = batch is not none and not batch.reads_every_row %}

with

batch_ids as (
    select unnest(batches.changed_price_ids) as id
    from {{ ref('price_load_batches') }} as batches
    where batches.batch_id = {{ batch.batch_id if compared else 0 }}
),

expected as (
    select classified.*
    from {{ ref('int_price_rows_classified') }} as classified
    where {{ 'true' if compared else 'false' }} and classified.id in (select batch_ids.id from batch_ids)
),

actual as (
    select * from {{ ref('int_price_rows_batch') }}
    where {{ 'true' if compared else 'false' }}
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
