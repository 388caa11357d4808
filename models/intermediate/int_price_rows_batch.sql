-- The legacy price rows of this build's batch (price_load_batches), each with its forecast
-- run and, when it cannot be migrated, the reason (int_price_rows_classified): every row on
-- the first batch; after it, the rows whose current version differs from what the
-- migration holds (new, or corrected since the last batch PriceForecast loaded). A view of
-- the latest batch, read by id, in the version current when a model reads it. (Which of the
-- two it is, is decided when the view is built: a plain view of every row keeps the first
-- load in a parallel plan.)
-- depends_on: {{ ref('price_load_batches') }}
{%- set batch = price_batch_state().current %}

with

classified as (
    select * from {{ ref('int_price_rows_classified') }}
),

final as (
    select classified.*
    from classified
    {% if batch is not none and not batch.reads_every_row -%}
        where classified.id = any((
            select batches.changed_price_ids
            from {{ ref('price_load_batches') }} as batches
            order by batches.batch_id desc
            limit 1
        )::integer[])
    {%- endif %}
)

select * from final
