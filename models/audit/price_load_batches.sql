-- The load ledger: one row per batch of legacy price rows, one batch per build. This model
-- writes what the batch reads, in one statement and so in one snapshot: the snapshot itself,
-- every legacy price row counted, and the ids of the rows written since the last batch
-- PriceForecast loaded (macro row_changed_since; every row, on the first batch). What it
-- needs of the batches before it, it reads from this table, in SQL. int_price_rows_counted,
-- PriceForecast and migration_exceptions each add what they did with the batch to its row,
-- in the transaction that writes their own rows, so an interrupted build leaves the ledger
-- saying exactly which of them committed.
-- the post-hook log_migration_start counts the legacy curves and schedules:
-- depends_on: {{ ref('stg_legacy__curve_definitions') }}
-- depends_on: {{ ref('stg_legacy__curve_schedule') }}
{{ config(
    materialized = 'incremental',
    incremental_strategy = 'append',
    full_refresh = false,
    on_schema_change = 'sync_all_columns',
    post_hook = ["{{ log_migration_start(this) }}"],
) }}

{%- set since_last_load = '(select last_loaded.snapshot from last_loaded)' %}

with

-- not materialized: scanned once in full
legacy as not materialized (
    select * from {{ ref('stg_legacy__price_forecasts') }}
),

last_loaded as (
    -- the last batch PriceForecast loaded, if any
    {% if is_incremental() %}
        select
            batches.snapshot,
            batches.legacy_price_rows
        from {{ this }} as batches
        where batches.loaded_at is not null
        order by batches.batch_id desc
        limit 1
    {% else %}
        select
            null::text as snapshot,
            null::bigint as legacy_price_rows
        where false
    {% endif %}
),

earlier_batches as (
    {% if is_incremental() %}
        select coalesce(max(batches.batch_id), 0) as last_batch_id from {{ this }} as batches
    {% else %}
        select 0 as last_batch_id
    {% endif %}
),

scanned as (
    -- one pass: every row counted, the ids of the rows written since the last load collected
    select
        count(*) as legacy_price_rows,
        array_agg(legacy.id) filter (
            where exists (select from last_loaded) and {{ row_changed_since('legacy.row_version', since_last_load) }}
        ) as changed_ids
    from legacy
),

final as (
    select
        earlier_batches.last_batch_id + 1 as batch_id,
        pg_current_snapshot()::text as snapshot,
        last_loaded.snapshot as read_after_snapshot,
        {{ run_started_at_literal() }} as planned_at,
        scanned.legacy_price_rows,
        case
            when last_loaded.snapshot is not null
                then array(
                    select changed.id from unnest(coalesce(scanned.changed_ids, '{}')) as changed (id)
                    order by changed.id
                )
        end as changed_price_ids,
        case
            when last_loaded.snapshot is null then scanned.legacy_price_rows
            else coalesce(cardinality(scanned.changed_ids), 0)
        end as changed_price_rows,
        -- the count grew by exactly the changed rows (now - before = new - deleted, at most
        -- changed): every changed row is new and none was deleted
        coalesce(
            scanned.legacy_price_rows
            = last_loaded.legacy_price_rows + coalesce(cardinality(scanned.changed_ids), 0),
            true
        ) as only_new_price_rows,
        null::timestamp as counted_at,
        null::boolean as recounted,
        null::timestamp as loaded_at,
        null::bigint as load_xid,
        null::bigint as rows_written,
        null::timestamp as listed_at
    from scanned
    cross join earlier_batches
    left join last_loaded on true
)

select * from final
