-- `forecast-migrate monitor`, check application_writes: whether the new application writes.
-- Per table of the target schema, the rows written to it since the last build (inserted,
-- updated or deleted, committed or not: PostgreSQL's counters against
-- database_activity_baseline); the migration writes none between builds. None at all warns.
-- The latest a table holds: its highest id, read by index, and when that row was committed
-- where the server keeps commit times (track_commit_timestamp, an RDS parameter).
{%- set new_tables = [
    'CurveDefinition', 'CurveInstance', 'PriceForecast', 'CurveSchedule', 'ScheduleRun',
    'CurveInputLineage', 'DefaultCurveInput', 'LegacyCurveMapping', 'QualityMetric', 'VersionHistory',
] %}

with

counted as (
    select
        tables.relname,
        tables.n_tup_ins - case when tables.n_tup_ins >= baseline.rows_inserted then baseline.rows_inserted else 0 end as inserted,
        tables.n_tup_upd - case when tables.n_tup_upd >= baseline.rows_updated then baseline.rows_updated else 0 end as updated,
        tables.n_tup_del - case when tables.n_tup_del >= baseline.rows_deleted then baseline.rows_deleted else 0 end as deleted
    from pg_catalog.pg_stat_user_tables as tables
    left join {{ ref('database_activity_baseline') }} as baseline
        on tables.schemaname = baseline.schema_name and tables.relname = baseline.table_name
    where tables.schemaname = '{{ target.schema | replace("'", "''") }}'
),

newest as (
    {%- for name in new_tables %}
        select
            '{{ ref(name).identifier }}' as relname,
            newest.id,
            case
                when current_setting('track_commit_timestamp') = 'on' then pg_xact_commit_timestamp(newest.xmin)
            end as committed_at
        from (
            select
                rows_.id,
                rows_.xmin
            from {{ ref(name) }} as rows_
            order by rows_.id desc limit 1
        ) as newest
        {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    counted.relname as subject,
    'ok' as status,
    counted.inserted || ' rows inserted, ' || counted.updated || ' updated, ' || counted.deleted
    || ' deleted since the build; latest: id ' || coalesce(newest.id::text, '-')
    || coalesce(', committed ' || to_char(newest.committed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), '') as detail,
    null as action
from counted
left join newest on counted.relname = newest.relname
where counted.inserted + counted.updated + counted.deleted > 0

union all

select
    'new tables' as subject,
    'warn' as status,
    'no row written since the build' as detail,
    'check that the new application runs and writes to schema {{ target.schema }}' as action
where not exists (
    select 1 from counted
    where inserted + updated + deleted > 0
)
