-- Every legacy row that did not become a row of its own in the new tables, with the
-- reason. With PriceForecast, CurveDefinition and CurveSchedule this accounts for every
-- legacy row (tests/assert_every_legacy_row_accounted_for.sql).
--
-- Price rows, without reading the legacy price table in full:
-- * rows failing a per-row check: the ids int_price_rows_counted kept for each reason;
-- * rows PriceForecast skipped (a lower id took their instance and timestamp): looked for
--   only among the legacy ids counted since the previous version of this table was built
--   (its comment says up to which id it checked, macro record_exceptions_checked_through), and
--   only in the runs whose migrated rows fall short of their count; those found earlier
--   are carried over from the previous version. When the ids since then are not exactly
--   the last counted batch (a build interrupted between counting and this model), every
--   run of those ids is checked row by row. --full-refresh recounts and checks every id.
{{ config(
    pre_hook = ["{{ bulk_session_settings() }}"],
    post_hook = ["{{ record_exceptions_checked_through(this, ref('int_price_rows_counted')) }}"],
) }}

{#- The previous list (carried over) and up to which legacy id it checked, and the legacy
    ids counted since, as literals so the planner reads only that id range. -#}
{%- set previous = load_relation(this) if execute and not flags.FULL_REFRESH else none %}
{#- through is none when nothing was counted since the previous version checked -#}
{%- set batch = {'after': none, 'through': none, 'checked': none, 'fast': true} %}
{%- if execute %}
    {%- if previous is not none %}
        {%- set checked = exceptions_checked_through(previous) %}
        {%- if checked is none %}
            {#- a version without the comment: nothing is known to be checked -#}
            {%- set previous = none %}
        {%- endif %}
        {%- do batch.update({'checked': checked}) %}
    {%- endif %}
    {%- set batch_row = run_query(
        'select count(*) filter (where counted_at = ' ~ run_started_at_literal() ~ '),'
        ~ ' min(counted_after) filter (where counted_at = ' ~ run_started_at_literal() ~ '),'
        ~ ' max(last_legacy_id) from ' ~ ref('int_price_rows_counted')
    ).rows[0] %}
    {%- set through = batch_row[2] %}
    {%- if through is not none and (batch.checked is none or through > batch.checked) %}
        {%- do batch.update({
            'after': batch.checked,
            'through': through,
            'fast': batch_row[0] > 0 and batch_row[1] == batch.checked,
        }) %}
    {%- endif %}
{%- endif %}

with

counted as (
    select * from {{ ref('int_price_rows_counted') }}
),

instances as (
    select
        id,
        metadata ->> 'legacyRunKey' as run_key
    from {{ ref('CurveInstance') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

curves as (
    select curve_id from {{ ref('stg_legacy__curve_definitions') }}
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
    select
        'price_forecasts' as source_table,
        excepted.source_id,
        counted.exception_reason as reason
    from counted
    cross join lateral unnest(counted.excepted_ids) as excepted (source_id)
    where counted.exception_reason is not null
),

previously_skipped as (
    {% if previous is not none %}
        select
            previous.source_table,
            previous.source_id,
            previous.reason
        from {{ previous }} as previous
        where
            previous.source_table = 'price_forecasts'
            and previous.source_id <= {{ batch.checked }}
            and previous.source_id not in (select failed_checks.source_id from failed_checks)
            and not exists (
                select 1 from {{ ref('PriceForecast') }} as prices
                where prices.id = previous.source_id
            )
    {% else %}
        select
            null::text as source_table,
            null::integer as source_id,
            null::text as reason
        where false
    {% endif %}
),

batch_runs as (
    -- the runs the last batch added rows to (every run, when the ids to check are not
    -- exactly the last batch), with the instance they went to
    select
        instances.id as curve_instance_id,
        counted.curve_id,
        counted.forecast_run_date,
        counted.value_type,
        counted.batch_price_rows
    from counted
    left join instances
        on instances.run_key = {{ forecast_run_key(
            'counted.curve_id',
            'counted.forecast_run_date',
            "coalesce('v:' || counted.value_type, 'null')",
        ) }}
    where
        counted.exception_reason is null
        {% if batch.fast %}
            and counted.counted_at = {{ run_started_at_literal() }}
        {% endif %}
),

-- not materialized: counted once in total, and per instance only when the total is short
batch_prices as not materialized (
    select
        prices.id,
        prices.curve_instance_id
    from {{ ref('PriceForecast') }} as prices
    where
        {% if batch.through is not none %}
            prices.id <= {{ batch.through }}
            {% if batch.after is not none %}
                and prices.id > {{ batch.after }}
            {% endif %}
            and {{ below_application_id_range('prices.id', ref('PriceForecast')) }}
        {% else %}
            false
        {% endif %}
),

batch_falls_short as (
    -- every migrated row of the batch is a counted row of a batch run, so equal totals mean
    -- no run falls short: the usual case, decided by one count. Not the last batch exactly:
    -- every run is looked at row by row.
    select
        {% if batch.fast %}
            (select count(*) from batch_prices)
            < (select coalesce(sum(batch_runs.batch_price_rows), 0) from batch_runs)
        {% else %}
            true
        {% endif %} as falls_short
),

batch_migrated as (
    select
        batch_prices.curve_instance_id,
        count(*) as migrated_rows
    from batch_prices
    where
        {% if batch.fast %}
            (select batch_falls_short.falls_short from batch_falls_short)
        {% else %}
            -- not compared per run: every run is looked at row by row
            false
        {% endif %}
    group by batch_prices.curve_instance_id
),

short_runs as (
    select batch_runs.*
    from batch_runs
    left join batch_migrated
        on batch_runs.curve_instance_id = batch_migrated.curve_instance_id
    where
        (select batch_falls_short.falls_short from batch_falls_short)
        {% if batch.fast %}
            and batch_runs.batch_price_rows > coalesce(batch_migrated.migrated_rows, 0)
        {% endif %}
),

skipped_now as (
    select
        'price_forecasts' as source_table,
        batch_rows.id as source_id,
        case
            when
                exists (
                    select 1 from {{ ref('PriceForecast') }} as taken
                    where
                        taken.curve_instance_id = short_runs.curve_instance_id
                        and taken.timestamp = batch_rows.flow_date_start
                )
                then '{{ duplicate_price_row_reason() }}'
            else 'not migrated'
        end as reason
    from {{ ref('int_price_rows_classified') }} as batch_rows
    inner join short_runs
        on
            batch_rows.curve_id = short_runs.curve_id
            and batch_rows.forecast_run_date = short_runs.forecast_run_date
            and batch_rows.value_type is not distinct from short_runs.value_type
    where
        {% if batch.through is not none %}
            batch_rows.id <= {{ batch.through }}
            {% if batch.after is not none %}
                and batch_rows.id > {{ batch.after }}
            {% endif %}
            -- the legacy rows are read only when some run falls short
            and exists (select 1 from short_runs)
            and batch_rows.exception_reason is null
            and not exists (
                select 1 from {{ ref('PriceForecast') }} as prices
                where prices.id = batch_rows.id
            )
            and batch_rows.id not in (select previously_skipped.source_id from previously_skipped)
        {% else %}
            false
        {% endif %}
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
),

schedule_exceptions as (
    select
        'curve_schedule' as source_table,
        schedules.schedule_id as source_id,
        case
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
),

final as (
    select * from failed_checks
    union all
    select * from previously_skipped
    union all
    select * from skipped_now
    union all
    select * from curve_exceptions
    union all
    select * from schedule_exceptions
)

select * from final
