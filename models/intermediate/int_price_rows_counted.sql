-- Legacy price rows counted once, by the batches of the load ledger (see the YAML).
-- enable_sort = off: the groups are few (runs x reasons x units), but the planner cannot tell
-- and would sort every row to group them; hashing is ~1.6x faster on 5M rows. The upsert's
-- unique index is a post-hook: the names of dbt's `indexes` change with every build.
-- depends_on: {{ ref('price_load_batches') }}
-- depends_on: {{ ref('int_price_rows_batch') }}
{{ config(
    materialized = 'incremental',
    unique_key = 'group_key',
    incremental_strategy = 'upsert',
    upsert_touch_columns = ['counted_in_batch'],
    pre_hook = [
        "{{ bulk_session_settings() }}",
        "set local enable_sort = off",
        "{{ 'delete from ' ~ this ~ ' where ' ~ price_rows_recount_needed() if is_incremental() else 'select 1' }}",
    ],
    post_hook = [
        "create unique index if not exists int_price_rows_counted_group_key_idx on {{ this }} (group_key)",
        "analyze {{ this }}",
        "{{ record_price_batch_stage('counted_at', {'recounted': price_rows_recount_needed()}) }}",
    ],
) }}

with

new_rows as (
    {% if is_incremental() -%}
        -- every row again when the ledger says so, else the batch's rows
        select * from {{ ref('int_price_rows_classified') }}
        where {{ price_rows_recount_needed() | indent(8) }}
        union all
        select * from {{ ref('int_price_rows_batch') }}
        where not {{ price_rows_recount_needed() | indent(8) }}
    {%- else -%}
        select * from {{ ref('int_price_rows_classified') }}
    {%- endif %}
),

per_units as (
    select
        curve_id,
        forecast_run_date,
        value_type,
        exception_reason,
        -- the units are counted for the runs only; an exception group is one row with its ids
        case when exception_reason is null then units end as units,
        count(*) as price_rows,
        min(flow_date_start) as first_flow_date_start,
        max(flow_date_start) as last_flow_date_start,
        -- unordered here (an ordered aggregate would sort every row), sorted per group below
        array_agg(id) filter (where exception_reason is not null) as excepted_ids
    from new_rows
    group by
        curve_id,
        forecast_run_date,
        value_type,
        exception_reason,
        case when exception_reason is null then units end
),

new_groups as (
    select
        concat_ws(
            '|',
            coalesce(curve_id::text, '-'),
            coalesce(to_char(forecast_run_date, 'YYYY-MM-DD"T"HH24:MI:SS.US'), '-'),
            coalesce('v:' || value_type, 'null'),
            exception_reason
        ) as group_key,
        curve_id,
        forecast_run_date,
        value_type,
        exception_reason,
        sum(price_rows)::bigint as price_rows,
        min(first_flow_date_start) as first_flow_date_start,
        max(last_flow_date_start) as last_flow_date_start,
        jsonb_object_agg(units, price_rows) filter (where units is not null) as units_counts,
        (
            select array_agg(excepted.id order by excepted.id)
            from unnest(min(per_units.excepted_ids)) as excepted (id)
        ) as excepted_ids,
        -- the batch of the load ledger that last added to the group
        (select max(batches.batch_id) from {{ ref('price_load_batches') }} as batches)::integer
            as counted_in_batch
    from per_units
    group by curve_id, forecast_run_date, value_type, exception_reason
),

{% if is_incremental() %}
    merged as (
        -- a group that already has rows: add the new ones to it
        select
            new_groups.group_key,
            new_groups.curve_id,
            new_groups.forecast_run_date,
            new_groups.value_type,
            new_groups.exception_reason,
            coalesce(counted.price_rows, 0) + new_groups.price_rows as price_rows,
            least(counted.first_flow_date_start, new_groups.first_flow_date_start) as first_flow_date_start,
            greatest(counted.last_flow_date_start, new_groups.last_flow_date_start) as last_flow_date_start,
            {{ sum_jsonb_counts('counted.units_counts', 'new_groups.units_counts') }} as units_counts,
            case
                when new_groups.exception_reason is not null
                    then coalesce(counted.excepted_ids, '{}') || new_groups.excepted_ids::integer[]
            end as excepted_ids,
            new_groups.counted_in_batch
        from new_groups
        left join {{ this }} as counted
            on new_groups.group_key = counted.group_key
    )
{% else %}
    merged as (
        select * from new_groups
    )
{% endif %}

select * from merged
