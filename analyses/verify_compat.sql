-- Runbook Step 4 "test compatibility view": its row count next to the legacy table's.
-- Whether its rows equal the legacy rows is the singular test
-- assert_compat_views_match_legacy, which `forecast-migrate verify` runs.

with

legacy_curves as (
    select curve_id from {{ ref('stg_legacy__curve_definitions') }}
),

compat_rows as (
    select curve_id from {{ ref('curve_definitions_compat') }}
),

excepted_curves as (
    select source_id from {{ ref('migration_exceptions') }}
    where source_table = 'curve_definitions'
)

select
    (select count(*) from compat_rows) as compat_rows,
    (select count(*) from legacy_curves) as legacy_rows,
    (
        select count(*) from compat_rows
        where compat_rows.curve_id in (select legacy_curves.curve_id from legacy_curves)
    ) as compat_rows_of_legacy_curves,
    (select count(*) from excepted_curves) as excepted_legacy_curves
