-- Legacy price rows counted once, by the batches of the load ledger (see the YAML).
-- enable_sort = off: the groups are few (runs x reasons x units), but the planner cannot
-- tell from the legacy statistics and would sort every row to group them; hashing them is
-- ~1.6x faster on 5M rows. The upsert's unique index is made by a post-hook: the names of
-- dbt's `indexes` change with every build.
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
        ) as excepted_ids
    from per_units
    group by curve_id, forecast_run_date, value_type, exception_reason
),

keyed as (
    select
        concat_ws(
            '|',
            coalesce(curve_id::text, '-'),
            coalesce(to_char(forecast_run_date, 'YYYY-MM-DD"T"HH24:MI:SS.US'), '-'),
            coalesce('v:' || value_type, 'null'),
            exception_reason
        ) as group_key,
        *
    from new_groups
),

{% if is_incremental() %}
    merged as (
        -- a group that already has rows: add the new ones to it
        select
            keyed.group_key,
            keyed.curve_id,
            keyed.forecast_run_date,
            keyed.value_type,
            keyed.exception_reason,
            coalesce(counted.price_rows, 0) + keyed.price_rows as price_rows,
            least(counted.first_flow_date_start, keyed.first_flow_date_start) as first_flow_date_start,
            greatest(counted.last_flow_date_start, keyed.last_flow_date_start) as last_flow_date_start,
            (
                select jsonb_object_agg(units_totals.units, units_totals.total)
                from (
                    select
                        units_count.key as units,
                        sum(units_count.value::bigint) as total
                    from (
                        select * from jsonb_each_text(counted.units_counts)
                        union all
                        select * from jsonb_each_text(keyed.units_counts)
                    ) as units_count
                    group by units_count.key
                ) as units_totals
            ) as units_counts,
            case
                when keyed.exception_reason is not null
                    then coalesce(counted.excepted_ids, '{}') || keyed.excepted_ids::integer[]
            end as excepted_ids
        from keyed
        left join {{ this }} as counted
            on keyed.group_key = counted.group_key
    ),
{% else %}
    merged as (
        select * from keyed
    ),
{% endif %}

final as (
    select
        merged.*,
        -- the batch of the load ledger that last added to the group
        (select max(batches.batch_id) from {{ ref('price_load_batches') }} as batches)::integer
            as counted_in_batch
    from merged
)

select * from final
