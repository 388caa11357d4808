-- `forecast-migrate monitor`, check performance: on the tables of the target schema, since
-- the last build (database_activity_baseline), sequential scans of the price tables
-- (PriceForecast, CurveInstance: an index missing for a query; warn from the second, as the
-- build's closing summary, hook log_migration_complete, counts them once), dead rows above a fifth
-- of the live ones (warn) and when (auto)vacuum and (auto)analyze last ran; indexes of the
-- new tables never scanned (for information); and in the database, transactions open for more
-- than five minutes and sessions waiting for a lock (warn). Slow statements: analysis
-- monitor_slow_statements.

with

baseline as (
    select * from {{ ref('database_activity_baseline') }}
),

tables as (
    select
        tables.*,
        -- counters below the baseline's started again (a statistics reset, a copied database)
        tables.seq_scan - case when tables.seq_scan >= baseline.seq_scans then baseline.seq_scans else 0 end
            as new_seq_scans,
        tables.seq_tup_read - case when tables.seq_scan >= baseline.seq_scans then baseline.seq_rows_read else 0 end
            as new_seq_rows_read,
        tables.relname in ('{{ ref("PriceForecast").identifier }}', '{{ ref("CurveInstance").identifier }}') as large
    from pg_catalog.pg_stat_user_tables as tables
    left join baseline on tables.relname = baseline.table_name
    where tables.schemaname = '{{ target.schema | replace("'", "''") }}'
),

findings as (
    select
        tables.relname as subject,
        case
            when tables.large and tables.new_seq_scans > 1 then 'warn'
            when tables.n_dead_tup > 1000 and tables.n_dead_tup > tables.n_live_tup / 5 then 'warn'
            else 'ok'
        end as status,
        concat_ws(
            '; ',
            tables.new_seq_scans || ' sequential scans (' || tables.new_seq_rows_read
            || ' rows read) and ' || coalesce(tables.idx_scan, 0) || ' index scans in all',
            tables.n_live_tup || ' live rows, ' || tables.n_dead_tup || ' dead',
            'vacuumed ' || coalesce(to_char(greatest(tables.last_vacuum, tables.last_autovacuum), 'YYYY-MM-DD HH24:MI'), 'never'),
            'analyzed ' || coalesce(to_char(greatest(tables.last_analyze, tables.last_autoanalyze), 'YYYY-MM-DD HH24:MI'), 'never')
        ) as detail,
        case
            when tables.large and tables.new_seq_scans > 1
                then 'find the query (pg_stat_statements, or log_min_duration_statement) and index what it filters on'
            when tables.n_dead_tup > 1000 and tables.n_dead_tup > tables.n_live_tup / 5
                then 'vacuum (analyze) ' || quote_ident(tables.schemaname) || '.' || quote_ident(tables.relname)
        end as action
    from tables
    where tables.large or tables.n_dead_tup > 1000

    union all

    select
        'unused indexes' as subject,
        'ok' as status,
        coalesce(string_agg(indexes.indexrelname, ', ' order by indexes.indexrelname), 'none')
        || ' never scanned' as detail,
        null as action
    from pg_catalog.pg_stat_user_indexes as indexes
    where indexes.schemaname = '{{ target.schema | replace("'", "''") }}' and indexes.idx_scan = 0

    union all

    select
        'session ' || activity.pid || ' (' || coalesce(activity.usename::text, '?') || ')' as subject,
        'warn' as status,
        concat_ws(
            '; ',
            case
                when activity.xact_start < now() - interval '5 minutes'
                    then 'transaction open for ' || date_trunc('second', now() - activity.xact_start)
            end,
            case when activity.wait_event_type = 'Lock' then 'waiting for a lock (' || activity.wait_event || ')' end,
            left(regexp_replace(activity.query, '\s+', ' ', 'g'), 80)
        ) as detail,
        'find what holds it: pg_blocking_pids(' || activity.pid || ')' as action
    from pg_catalog.pg_stat_activity as activity
    where
        activity.datname = current_database()
        and activity.pid <> pg_backend_pid()
        and (activity.xact_start < now() - interval '5 minutes' or activity.wait_event_type = 'Lock')

    union all

    select
        'pg_stat_statements' as subject,
        'ok' as status,
        case
            when
                exists (
                    select 1 from pg_catalog.pg_extension as extensions
                    where extensions.extname = 'pg_stat_statements'
                )
                then 'installed: the slowest statements on the price tables follow, if any'
            else 'not installed: no statement times (RDS: add it to shared_preload_libraries)'
        end as detail,
        null as action
)

select * from findings
