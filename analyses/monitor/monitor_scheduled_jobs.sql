-- `forecast-migrate monitor`, check scheduled_jobs: for each active CurveSchedule, whether a
-- ScheduleRun started within its frequency window since the migration (the last build,
-- database_activity_baseline), with a grace period of a quarter of the window (at least an
-- hour): overdue within the grace warns, beyond it fails. Failed runs since the migration and
-- runs still pending or running after a window and its grace warn. ON_DEMAND schedules have
-- no window. Times as of FORECAST_MONITOR_AS_OF (set by monitor --as-of), else now; ScheduleRun
-- times are UTC.
{%- set as_of = env_var('FORECAST_MONITOR_AS_OF', '') %}

with

moment as (
    select
        {{ "'" ~ as_of | replace("'", "''") ~ "'::timestamptz" if as_of else 'now()' }} at time zone 'UTC' as as_of,
        (select max(baseline.taken_at) from {{ ref('database_activity_baseline') }} as baseline)
        at time zone 'UTC' as migrated_at
),

schedules as (
    select
        schedules.id,
        schedules.curve_definition_id,
        schedules.frequency::text as frequency,
        case schedules.frequency::text
            when 'HOURLY' then interval '1 hour'
            when 'DAILY' then interval '1 day'
            when 'WEEKLY' then interval '7 days'
            when 'MONTHLY' then interval '1 month'
            when 'QUARTERLY' then interval '3 months'
            when 'ANNUALLY' then interval '1 year'
        end as run_window
    from {{ ref('CurveSchedule') }} as schedules
    cross join moment
    where
        schedules."isActive"
        and coalesce(schedules."validFrom", '-infinity') <= moment.as_of
        and coalesce(schedules."validUntil", 'infinity') > moment.as_of
),

runs as (
    select
        runs.schedule_id,
        max(coalesce(runs."startedAt", runs."scheduledFor")) filter (
            where runs.status::text not in ('FAILED', 'CANCELLED')
        ) as last_run,
        count(*) filter (where runs.status::text = 'FAILED') as failed_runs,
        count(*) filter (where runs.status::text in ('PENDING', 'RUNNING')) as open_runs,
        min(coalesce(runs."startedAt", runs."scheduledFor")) filter (
            where runs.status::text in ('PENDING', 'RUNNING')
        ) as oldest_open_run
    from {{ ref('ScheduleRun') }} as runs
    cross join moment
    where coalesce(runs."startedAt", runs."scheduledFor") between moment.migrated_at and moment.as_of
    group by runs.schedule_id
),

judged as (
    select
        schedules.*,
        runs.last_run,
        coalesce(runs.failed_runs, 0) as failed_runs,
        coalesce(runs.open_runs, 0) as open_runs,
        moment.as_of - greatest(runs.last_run, moment.migrated_at) as since_last,
        greatest(schedules.run_window / 4, interval '1 hour') as grace,
        (
            runs.oldest_open_run
            < moment.as_of - schedules.run_window - greatest(schedules.run_window / 4, interval '1 hour')
        ) as stuck
    from schedules
    cross join moment
    left join runs on schedules.id = runs.schedule_id
),

rows_by_schedule as (
    select
        'schedule ' || judged.id || ' (curve ' || judged.curve_definition_id || ', '
        || judged.frequency || ')' as subject,
        case
            when judged.since_last > judged.run_window + judged.grace then 'fail'
            when judged.since_last > judged.run_window or judged.failed_runs > 0 or judged.stuck then 'warn'
            else 'ok'
        end as status,
        concat_ws(
            '; ',
            'last run ' || coalesce(to_char(judged.last_run, 'YYYY-MM-DD HH24:MI') || ' UTC', 'none since the migration'),
            case when judged.since_last > judged.run_window then 'overdue by ' || justify_interval(date_trunc('minute', judged.since_last - judged.run_window))::text end,
            case when judged.failed_runs > 0 then judged.failed_runs || ' failed run(s)' end,
            case when judged.stuck then judged.open_runs || ' run(s) pending or running for longer than a window' end
        ) as detail,
        'check the job that runs schedule ' || judged.id || ' (ScheduleRun rows, errorMessage)' as action
    from judged
    where judged.run_window is not null
)

select * from rows_by_schedule
where status <> 'ok'

union all

select
    'active schedules' as subject,
    'ok' as status,
    count(*) filter (where status = 'ok') || ' of ' || count(*)
    || ' active schedules with a window ran within it (or are not due yet)' as detail,
    null as action
from rows_by_schedule
