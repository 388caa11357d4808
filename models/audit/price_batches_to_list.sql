{{ config(materialized = 'view') }}

with

batches as (
    select * from {{ ref('price_load_batches') }}
),

unlisted as (
    -- the batches loaded since migration_exceptions last listed one
    select batches.* from batches
    where
        batches.loaded_at is not null
        and batches.batch_id > coalesce(
            (
                select max(listed.batch_id) from batches as listed
                where listed.listed_at is not null
            ), 0
        )
),

last_load as (
    -- whether the latest batch's load wrote fewer rows than the batch has that pass the checks
    select
        current_batch.rows_written < case
            when current_batch.changed_price_ids is null
                then (
                    select coalesce(sum(counted.price_rows), 0)
                    from {{ ref('int_price_rows_counted') }} as counted
                    where counted.exception_reason is null
                )
            else (
                select count(*) from {{ ref('int_price_rows_batch') }} as batch
                where batch.exception_reason is null
            )
        end as wrote_fewer_rows
    from batches as current_batch
    order by current_batch.batch_id desc
    limit 1
),

final as (
    select
        count(*) as unlisted_batches,
        coalesce(bool_or(unlisted.changed_price_ids is null), false) as reads_every_row,
        array(
            select distinct changed.id
            from unlisted as listed
            cross join lateral unnest(listed.changed_price_ids) as changed (id)
        ) as changed_price_ids,
        count(*) > 1 or coalesce((select last_load.wrote_fewer_rows from last_load), false)
            as look_for_skipped,
        coalesce(bool_or(not unlisted.only_new_price_rows), false) as look_for_deleted,
        (
            select batches.snapshot from batches
            order by batches.batch_id desc limit 1
        ) as last_snapshot
    from unlisted
)

select * from final
