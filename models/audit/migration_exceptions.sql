-- Every legacy row the new tables do not hold as the legacy table has it (doc block migration_exceptions);
-- rebuilt in place (strategy replace_all), so the compat views that read it are never dropped with it.
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

-- not materialized: read by id; as a CTE read twice it would be materialized, every row
legacy_prices as not materialized (
    select * from {{ ref('stg_legacy__price_forecasts') }}
),

previous as (
    -- the price rows listed last time; none on the first build (curve_exceptions lists none)
    select
        source_table,
        source_id,
        reason
    from {{ this if is_incremental() else ref('curve_exceptions') }}
    where source_table = 'price_forecasts'
),

gates as (
    select * from {{ ref('price_batches_to_list') }}
),

read_again as (
    -- the batches' rows that pass the checks: a row listed before among them is listed anew
    select classified.id from {{ ref('int_price_rows_classified') }} as classified
    where
        classified.exception_reason is null
        and (select gates.look_for_skipped and gates.reads_every_row from gates)
    union all
    select classified.id from {{ ref('int_price_rows_classified') }} as classified
    where
        classified.exception_reason is null
        and (select not gates.reads_every_row from gates)
        and classified.id = any((select gates.changed_price_ids from gates)::integer[])
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
        and previous.source_id not in (select failing.source_id from {{ ref('price_rows_failing_checks') }} as failing)
        and previous.source_id not in (select read_again.id from read_again)
        -- a deletion listed before is looked for again when a batch may hold one
        and not (previous.reason = '{{ deleted_price_row_reason() }}' and (select gates.look_for_deleted from gates))
),

deleted_now as (
    -- migrated price rows (price_rows_deleted_from_legacy) or listed ones whose legacy row is gone
    select * from {{ ref('price_rows_deleted_from_legacy') }}
    union
    select
        'price_forecasts' as source_table,
        previous.source_id,
        '{{ deleted_price_row_reason() }}' as reason
    from previous
    where
        (select gates.look_for_deleted from gates)
        and not exists (
            select from legacy_prices
            where legacy_prices.id = previous.source_id
        )
),

price_exceptions as (
    select * from {{ ref('price_rows_failing_checks') }}
    union all
    select * from {{ ref('price_rows_skipped') }}
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
            select to_jsonb(legacy_prices) - 'row_version' from legacy_prices
            where legacy_prices.id = price_exceptions.source_id
        ) as legacy_row,
        (
            select to_jsonb(held) from {{ ref('PriceForecast') }} as held
            where
                held.id = price_exceptions.source_id
                and price_exceptions.reason = '{{ application_value_kept_reason() }}'
        ) as application_row
    from price_exceptions
    union all
    select * from {{ ref('curve_exceptions') }}
)

select * from final
