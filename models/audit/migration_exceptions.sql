-- Every legacy row the new tables do not hold as it is in the legacy table (doc block
-- migration_exceptions). What this build looks for among the price rows is read from the
-- load ledger when the statement runs (CTE gates); the curves and schedules are listed by
-- curve_exceptions. Rebuilt in place (strategy replace_all), so the
-- compat views that read it are never dropped with it.
{{ config(
    materialized = 'incremental',
    incremental_strategy = 'replace_all',
    full_refresh = false,
    on_schema_change = 'fail',
    pre_hook = ["{{ bulk_session_settings() }}"],
    post_hook = [
        "create index if not exists migration_exceptions_source_idx on {{ this }} (source_table, source_id)",
        "{{ record_price_batch_stage('listed_at') }}",
    ],
) }}

with

-- not materialized: read by id (legacy_row) and, when deletions are looked for, whole;
-- as CTEs read twice they would be materialized, every row
legacy_prices as not materialized (
    select
        id,
        curve_id,
        flow_date_start,
        granularity,
        value,
        units,
        location,
        mark_case,
        curve_creator,
        value_type,
        mark_date
    from {{ ref('stg_legacy__price_forecasts') }}
),

counted as (
    select * from {{ ref('int_price_rows_counted') }}
),

prices as not materialized (
    select * from {{ ref('PriceForecast') }}
),

previous as (
    -- the price rows this model listed last time
    {% if is_incremental() -%}
        select
            source_table,
            source_id,
            reason
        from {{ this }}
        where source_table = 'price_forecasts'
    {%- else -%}
        select
            null::text as source_table,
            null::integer as source_id,
            null::text as reason
        where false
    {%- endif %}
),

gates as (
    select * from {{ ref('price_batches_to_list') }}
),

batch_rows as (
    -- the rows of those batches that pass the per-row checks (every row when one of them
    -- read every row); read only when there are skipped rows to look for, or listed rows
    -- to carry over
    select classified.* from {{ ref('int_price_rows_classified') }} as classified
    where
        classified.exception_reason is null
        and (select gates.reads_every_row and gates.look_for_skipped from gates)
    union all
    select classified.* from {{ ref('int_price_rows_classified') }} as classified
    where
        classified.exception_reason is null
        and (
            select not gates.reads_every_row and (gates.look_for_skipped or exists (select from previous))
            from gates
        )
        and classified.id = any((select gates.changed_price_ids from gates)::integer[])
),

failed_checks as (
    -- a row migrated before a correction made it fail a check keeps its migrated value
    select
        'price_forecasts' as source_table,
        excepted.source_id,
        counted.exception_reason
        || case
            when
                exists (
                    select 1 from {{ ref('PriceForecast') }} as held
                    where held.id = excepted.source_id and {{ written_by_the_migration('held') }}
                )
                then ': PriceForecast keeps the value migrated before the legacy row changed'
            else ''
        end as reason
    from counted
    cross join lateral unnest(counted.excepted_ids) as excepted (source_id)
    where counted.exception_reason is not null
),

skipped_now as (
    -- rows of the batch that pass the checks but that the load did not write
    select
        'price_forecasts' as source_table,
        batch_rows.id as source_id,
        case
            when held.id is not null and not {{ written_by_the_migration('held') }}
                then '{{ application_value_kept_reason() }}'
            else '{{ duplicate_price_row_reason() }}'
        end as reason
    from batch_rows
    left join {{ ref('PriceForecast') }} as held
        on batch_rows.id = held.id
    where
        (select gates.look_for_skipped from gates)
        and (held.id is null or not {{ written_by_the_migration('held') }})
),

previously_skipped as (
    -- listed by an earlier batch, and not read again by this one
    select
        previous.source_table,
        previous.source_id,
        previous.reason
    from previous
    where
        previous.reason in (
            '{{ application_value_kept_reason() }}',
            '{{ duplicate_price_row_reason() }}',
            '{{ deleted_price_row_reason() }}'
        )
        and previous.source_id not in (select skipped_now.source_id from skipped_now)
        and previous.source_id not in (select failed_checks.source_id from failed_checks)
        and previous.source_id not in (select batch_rows.id from batch_rows)
        -- a deletion listed before is looked for again when a batch may hold one
        and (
            not (select gates.look_for_deleted from gates)
            or previous.reason <> '{{ deleted_price_row_reason() }}'
        )
),

deleted_now as (
    -- migrated or listed price rows whose legacy row is gone; looked for only when a batch's
    -- count says its changed rows were not all new (a correction or a deletion)
    select
        'price_forecasts' as source_table,
        held_ids.id as source_id,
        '{{ deleted_price_row_reason() }}' as reason
    from (
        select prices.id from prices
        where {{ below_application_id_range('prices.id', ref('PriceForecast')) }}
        union
        select previous.source_id from previous
    ) as held_ids
    where
        (select gates.look_for_deleted from gates)
        and not exists (
            select 1 from legacy_prices
            where legacy_prices.id = held_ids.id
        )
),

price_exceptions as (
    select * from failed_checks
    union all
    select * from skipped_now
    union all
    select * from previously_skipped
    union all
    select * from deleted_now
),

final as (
    select
        price_exceptions.source_table,
        price_exceptions.source_id,
        price_exceptions.reason,
        -- by id: the listed rows are few, the legacy table is not read whole
        (
            select to_jsonb(legacy_prices) from legacy_prices
            where legacy_prices.id = price_exceptions.source_id
        ) as legacy_row,
        case
            when price_exceptions.reason = '{{ application_value_kept_reason() }}'
                then (
                    select to_jsonb(held) from prices as held
                    where held.id = price_exceptions.source_id
                )
        end as application_row
    from price_exceptions
    union all
    select * from {{ ref('curve_exceptions') }}
)

select * from final
