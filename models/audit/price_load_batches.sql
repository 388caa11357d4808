-- The load ledger: one row per batch of legacy price rows, one batch per build. This model
-- writes what the batch reads, in one statement and so in one snapshot: the snapshot itself,
-- every legacy price row counted, and the ids of the rows that changed since the last batch
-- PriceForecast loaded (every row, on the first batch). int_price_rows_counted,
-- PriceForecast and migration_exceptions each add what they did with the batch to its row,
-- in the transaction that writes their own rows, so an interrupted build leaves the ledger
-- saying exactly which of them committed.
--
-- A row changed since the last loaded batch (macro row_changed_since) is compared with what
-- the migration holds for its id, the previous build's price_forecasts_compat: `new` when
-- it holds nothing, `corrected` when it holds other values, and left out when it holds the
-- same row (a version that only looks new). Every legacy row counted at the last loaded
-- batch, plus the new ones, minus those counted now, were deleted since.
-- the post-hook log_migration_start counts the legacy curves and schedules:
-- depends_on: {{ ref('stg_legacy__curve_definitions') }}
-- depends_on: {{ ref('stg_legacy__curve_schedule') }}
{{ config(
    materialized = 'incremental',
    incremental_strategy = 'append',
    full_refresh = false,
    post_hook = ["{{ log_migration_start(this) }}"],
) }}

{%- set state = price_batch_state(this) if is_incremental() else {} %}
{%- set previous = state.get('last_loaded') %}
{%- set compat = load_relation(model_relation('price_forecasts_compat'))
    if execute and previous is not none else none %}

with

-- not materialized: scanned once in full, then read by id for the few changed rows
legacy as not materialized (
    select * from {{ ref('stg_legacy__price_forecasts') }}
),

scanned as (
    -- one pass: every row counted, the ids of the changed ones collected
    select
        count(*) as legacy_price_rows,
        {% if previous is none -%}
            null::integer[] as candidate_ids
        {%- else -%}
            coalesce(
                array_agg(id) filter (where {{ row_changed_since('row_version', previous.snapshot) }}),
                '{}'
            ) as candidate_ids
        {%- endif %}
    from legacy
),

candidates as (
    select legacy.*
    from legacy
    where legacy.id = any((select scanned.candidate_ids from scanned)::integer[])
),

compared as (
    select
        candidates.id,
        case
            {% if compat is not none -%}
                when held.id is null then 'new'
                when (
                    candidates.curve_id,
                    candidates.flow_date_start,
                    candidates.granularity,
                    candidates.value,
                    candidates.units,
                    candidates.location,
                    candidates.mark_case,
                    candidates.curve_creator,
                    candidates.value_type,
                    candidates.mark_date
                ) is not distinct from (
                    held.curve_id,
                    held.flow_date_start,
                    held.granularity::text,
                    held.value,
                    held.units,
                    held.location,
                    held.mark_case,
                    held.curve_creator,
                    held.value_type,
                    held.mark_date
                ) then 'unchanged'
                else 'corrected'
            {%- else -%}
                when true then 'new'
            {%- endif %}
        end as change_kind
    from candidates
    {% if compat is not none -%}
        -- one lookup by id per changed row (offset 0 keeps the subquery apart, so the id
        -- reaches each branch of the view and its index), never a pass over the view
        left join lateral (
            select * from {{ compat }} as held_rows
            where held_rows.id = candidates.id
            offset 0
        ) as held on true
    {%- endif %}
),

changes as (
    select
        array_agg(id order by id) filter (where change_kind <> 'unchanged') as changed_ids,
        count(*) filter (where change_kind = 'new') as new_rows,
        count(*) filter (where change_kind = 'corrected') as corrected_rows,
        count(*) filter (where change_kind = 'unchanged') as unchanged_rows
    from compared
),

final as (
    select
        {{ (state.current.batch_id + 1) if state.get('current') else 1 }} as batch_id,
        pg_current_snapshot()::text as snapshot,
        {{ "'" ~ previous.snapshot ~ "'" if previous is not none else 'null' }}::text as read_after_snapshot,
        {{ run_started_at_literal() }} as planned_at,
        scanned.legacy_price_rows,
        {% if previous is none -%}
            null::integer[] as changed_price_ids,
            scanned.legacy_price_rows as new_price_rows,
            0::bigint as corrected_price_rows,
            0::bigint as unchanged_price_rows,
            0::bigint as deleted_price_rows,
        {%- else -%}
            coalesce(changes.changed_ids, '{}') as changed_price_ids,
            changes.new_rows as new_price_rows,
            changes.corrected_rows as corrected_price_rows,
            changes.unchanged_rows as unchanged_price_rows,
            {{ previous.legacy_price_rows }} + changes.new_rows - scanned.legacy_price_rows
                as deleted_price_rows,
        {%- endif %}
        null::timestamp as counted_at,
        null::boolean as recounted,
        null::timestamp as loaded_at,
        null::bigint as load_xid,
        null::bigint as rows_written,
        null::timestamp as listed_at
    from scanned
    cross join changes
)

select * from final
