-- `forecast-migrate monitor`, check errors: the application errors the database can see,
-- since the last build (database_activity_baseline): rolled-back transactions (warn above 5 %
-- of all and at least 100: every client that ends a read with a rollback counts, dbt and this
-- monitor too), deadlocks and recovery conflicts (warn). A statistics reset since
-- the build makes the differences unknown (warn).

with

baseline as (
    select * from {{ ref('database_activity_baseline') }}
    order by taken_at
    limit 1
),

now_counted as (
    select
        activity.xact_commit - baseline.commits as commits,
        activity.xact_rollback - baseline.rollbacks as rollbacks,
        activity.deadlocks - baseline.deadlocks as deadlocks,
        activity.conflicts - baseline.conflicts as conflicts,
        -- counters below the baseline's: reset since, or a copy of the database
        (
            activity.stats_reset is distinct from baseline.stats_reset
            or activity.xact_commit < baseline.commits
        ) as reset_since,
        baseline.taken_at
    from pg_catalog.pg_stat_database as activity
    cross join baseline
    where activity.datname = current_database()
)

select
    'database ' || current_database() as subject,
    case
        when reset_since or deadlocks > 0 or conflicts > 0 then 'warn'
        when rollbacks >= 100 and rollbacks > (commits + rollbacks) / 20 then 'warn'
        else 'ok'
    end as status,
    case
        when reset_since
            then
                'the statistics were reset since the build at '
                || to_char(taken_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC: differences unknown'
        else
            rollbacks || ' rolled-back transactions of ' || (commits + rollbacks) || ', '
            || deadlocks || ' deadlocks, ' || conflicts || ' conflicts since the build at '
            || to_char(taken_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'
    end as detail,
    case
        when
            reset_since or deadlocks > 0 or conflicts > 0
            or (rollbacks >= 100 and rollbacks > (commits + rollbacks) / 20)
            then 'read the server log (RDS: the postgresql log in the console) for the errors behind them'
    end as action
from now_counted
