-- Every legacy row the new tables do not hold as it is in the legacy table, with the reason
-- and the legacy row itself (legacy_row), so the compat views can return it and nothing is
-- lost. Rebuilt by every build from the present state; the price rows without reading every
-- price row:
-- * rows failing a per-row check: the ids int_price_rows_counted keeps for each reason;
-- * rows of the batches loaded since this model last ran that pass the checks but that the
--   load did not write (a repeated instance and timestamp, a row the application changed):
--   looked for only when the load ledger says a load wrote fewer rows than its batch has;
-- * such rows listed before and not read by those batches, carried over;
-- * rows deleted from the legacy table after they were migrated or listed: looked for only
--   when a batch's changed rows were not all new rows (price_load_batches.only_new_price_rows:
--   a correction or a deletion), else carried over.
-- Rebuilt in place (strategy replace_all), so the compat views that read it are never
-- dropped with it.
-- depends_on: {{ ref('price_load_batches') }}
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
{%- set state = price_batch_state() %}
{%- set batches = state.unlisted %}
{%- set batch_ids = batches | map(attribute='batch_id') | list %}
{%- set reads_every_row = batches | selectattr('reads_every_row') | list | length > 0 %}
{%- set previous = this if is_incremental() else none %}
{%- set look_for_skipped = execute and (batches | length > 1 or price_rows_not_written(state.current) > 0) %}
{%- set look_for_deleted = batches | rejectattr('only_new_price_rows') | list | length > 0 %}

with

legacy_prices as (
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

prices as (
    select * from {{ ref('PriceForecast') }}
),

batch_ids as (
    select unnest(batches.changed_price_ids) as id
    from {{ ref('price_load_batches') }} as batches
    where batches.batch_id in ({{ (batch_ids or [0]) | join(', ') }})
),

batch_rows as (
    -- the rows of those batches that pass the per-row checks (every row when one of them
    -- read every row); read only when there are skipped rows to look for, or listed rows
    -- to carry over
    select * from {{ ref('int_price_rows_classified') }}
    where
        {{ 'true' if look_for_skipped or (previous is not none and not reads_every_row) else 'false' }}
        and exception_reason is null
        and ({{ 'true' if reads_every_row else 'false' }} or id = any(array(select batch_ids.id from batch_ids)))
),

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

migrated_curves as (
    select id from {{ ref('CurveDefinition') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

schedules as (
    select * from {{ ref('stg_legacy__curve_schedule') }}
),

chosen_schedules as (
    select * from {{ ref('int_curve_schedules_chosen') }}
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
    {% if look_for_skipped -%}
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
        where held.id is null or not {{ written_by_the_migration('held') }}
    {%- else -%}
        select
            null::text as source_table,
            batch_rows.id as source_id,
            null::text as reason
        from batch_rows
        where false
    {%- endif %}
),

previously_skipped as (
    -- listed by an earlier batch, and not read again by this one
    {% if previous is not none -%}
        select
            previous.source_table,
            previous.source_id,
            previous.reason
        from {{ previous }} as previous
        where
            previous.source_table = 'price_forecasts'
            and previous.reason in (
                '{{ application_value_kept_reason() }}',
                '{{ duplicate_price_row_reason() }}',
                '{{ deleted_price_row_reason() }}'
            )
            and previous.source_id not in (select skipped_now.source_id from skipped_now)
            and previous.source_id not in (select failed_checks.source_id from failed_checks)
            and previous.source_id not in (select batch_rows.id from batch_rows)
            -- a deletion listed before is looked for again when a batch may hold one
            and ({{ 'false' if look_for_deleted else 'true' }} or previous.reason <> '{{ deleted_price_row_reason() }}')
    {%- else -%}
        select
            null::text as source_table,
            null::integer as source_id,
            null::text as reason
        where false
    {%- endif %}
),

deleted_now as (
    -- migrated or listed price rows whose legacy row is gone; looked for only when a batch's
    -- count says its changed rows were not all new (a correction or a deletion)
    {% if look_for_deleted -%}
        select
            'price_forecasts' as source_table,
            held_ids.id as source_id,
            '{{ deleted_price_row_reason() }}' as reason
        from (
            select prices.id from prices
            where {{ below_application_id_range('prices.id', ref('PriceForecast')) }}
            {% if previous is not none -%}
                union
                select previous.source_id from {{ previous }} as previous
                where previous.source_table = 'price_forecasts'
            {%- endif %}
        ) as held_ids
        where not exists (select 1 from legacy_prices where legacy_prices.id = held_ids.id)
    {%- else -%}
        select
            null::text as source_table,
            null::integer as source_id,
            null::text as reason
        where false
    {%- endif %}
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

curve_exceptions as (
    select
        'curve_definitions' as source_table,
        curves.curve_id as source_id,
        case
            when not {{ below_application_id_range('curves.curve_id', ref('CurveDefinition')) }}
                then 'curve_id is in the application id range of CurveDefinition'
            else 'not migrated'
        end as reason
    from curves
    where curves.curve_id not in (select migrated_curves.id from migrated_curves)

    union all

    select
        'curve_definitions' as source_table,
        migrated_curves.id as source_id,
        'deleted from the legacy table after it was migrated: CurveDefinition keeps the curve'
            as reason
    from migrated_curves
    where migrated_curves.id not in (select curves.curve_id from curves)
),

schedule_exceptions as (
    select
        'curve_schedule' as source_table,
        schedules.schedule_id as source_id,
        case
            when schedules.curve_id not in (select migrated_curves.id from migrated_curves)
                then 'its curve was not migrated'
            when chosen_schedules.legacy_schedule_id = schedules.schedule_id
                then
                    'unknown update_frequency spelling ''' || schedules.update_frequency
                    || ''': the default rule was applied; the legacy row is kept in CurveSchedule.metadata'
            when not schedules.is_active_or_default
                then
                    'inactive: kept in CurveSchedule.metadata.legacySchedules of curve '
                    || schedules.curve_id
            else
                'another active schedule of curve ' || schedules.curve_id
                || ' is more recent: kept in CurveSchedule.metadata.legacySchedules'
        end as reason
    from schedules
    left join chosen_schedules
        on schedules.curve_id = chosen_schedules.curve_id
    where
        chosen_schedules.legacy_schedule_id is distinct from schedules.schedule_id
        or chosen_schedules.has_unknown_spelling
        or schedules.curve_id not in (select migrated_curves.id from migrated_curves)
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

    select
        curve_exceptions.source_table,
        curve_exceptions.source_id,
        curve_exceptions.reason,
        to_jsonb(curves) - 'row_version' as legacy_row,
        null::jsonb as application_row
    from curve_exceptions
    left join curves
        on curve_exceptions.source_id = curves.curve_id

    union all

    select
        schedule_exceptions.source_table,
        schedule_exceptions.source_id,
        schedule_exceptions.reason,
        -- the legacy columns only: the staging view's derived ones are left out
        to_jsonb(legacy_schedules) - array[
            'update_frequency_normalised', 'is_active_or_default', 'created_at_utc',
            'updated_at_utc', 'row_version'
        ] as legacy_row,
        null::jsonb as application_row
    from schedule_exceptions
    left join schedules as legacy_schedules
        on schedule_exceptions.source_id = legacy_schedules.schedule_id
)

select * from final
