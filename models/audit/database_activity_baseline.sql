-- The database's activity counters when this build ended (doc block database_activity_baseline):
-- forecast-migrate monitor (runbook Step 7) reports what happened since, as the difference.
-- One row per table of the target schema and of the legacy schema, with the database's
-- counters on each row.
-- Built last: it depends on every model that no other model reads, so in dbt build every data
-- test has run before it reads the counters, and the migration's own scans are not counted.
-- depends_on: {{ ref('price_chunks_to_compare') }}, {{ ref('granted_schema_usage') }}
-- depends_on: {{ ref('curve_definitions_compat') }}, {{ ref('curve_schedule_compat') }}
-- depends_on: {{ ref('QualityMetric') }}, {{ ref('CurveInputLineage') }}, {{ ref('ScheduleRun') }}
-- depends_on: {{ ref('DefaultCurveInput') }}, {{ ref('LegacyCurveMapping') }}, {{ ref('VersionHistory') }}
{{ config(materialized = 'table') }}

select
    tables.schemaname as schema_name,
    tables.relname as table_name,
    tables.n_tup_ins as rows_inserted,
    tables.n_tup_upd as rows_updated,
    tables.n_tup_del as rows_deleted,
    tables.seq_scan as seq_scans,
    tables.seq_tup_read as seq_rows_read,
    coalesce(tables.idx_scan, 0) as index_scans,
    activity.xact_commit as commits,
    activity.xact_rollback as rollbacks,
    activity.deadlocks,
    activity.conflicts,
    activity.stats_reset,
    now() as taken_at
from pg_catalog.pg_stat_user_tables as tables
cross join pg_catalog.pg_stat_database as activity
where
    tables.schemaname in ('{{ target.schema | replace("'", "''") }}', '{{ var("legacy_schema") | replace("'", "''") }}')
    and activity.datname = current_database()
