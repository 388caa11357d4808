-- `forecast-migrate monitor`, check performance: the five statements on the new tables with
-- the longest mean time, from pg_stat_statements (RDS has it; elsewhere shared_preload_libraries
-- and CREATE EXTENSION pg_stat_statements). Fails to run where the extension is absent, and
-- the monitor says so.

select
    'statement ' || statements.queryid as subject,
    'ok' as status,
    round(statements.mean_exec_time::numeric, 1) || ' ms mean over ' || statements.calls || ' calls: '
    || left(regexp_replace(statements.query, '\s+', ' ', 'g'), 100) as detail,
    null as action
from pg_stat_statements as statements
where
    statements.dbid = (
        select databases.oid from pg_catalog.pg_database as databases
        where databases.datname = current_database()
    )
    and (
        statements.query ilike '%{{ ref("PriceForecast").identifier }}%'
        or statements.query ilike '%{{ ref("CurveInstance").identifier }}%'
    )
order by statements.mean_exec_time desc
limit 5
