-- The readiness gate of runbook Step 1. It reads no legacy row and writes nothing
-- (materialization `gate`); it depends on the three legacy tables, so `dbt build` runs
-- every readiness test of every legacy table before it and skips everything after it when
-- one fails. Every staging view depends on it, and each reads only its own legacy table.
-- depends_on: {{ source('legacy', 'curve_definitions') }}
-- depends_on: {{ source('legacy', 'price_forecasts') }}
-- depends_on: {{ source('legacy', 'curve_schedule') }}
{{ config(materialized = 'gate') }}

select
    current_setting('server_version_num')::integer as server_version_num,
    current_user as migration_role
