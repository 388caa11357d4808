-- Every legacy price row up to the highest id counted is counted exactly once in
-- int_price_rows_counted (which re-runs extend with ids above that one). A legacy row that
-- appears later with a lower id (a transaction that committed after the last run although
-- it took its id before) is not counted, migrated or listed: this test says so, and
-- `dbt build --full-refresh` recounts and migrates it.

with

counted as (
    select
        coalesce(sum(price_rows), 0) as counted_rows,
        max(last_legacy_id) as counted_through
    from {{ ref('int_price_rows_counted') }}
),

legacy as (
    select count(*) as legacy_rows
    from {{ ref('int_price_rows_classified') }}
    where id <= (select counted.counted_through from counted)
)

select
    legacy.legacy_rows,
    counted.counted_rows,
    legacy.legacy_rows || ' legacy price rows up to id ' || counted.counted_through || ', '
    || counted.counted_rows || ' counted: run dbt build --full-refresh to count the '
    || 'rows that arrived with lower ids' as failure
from legacy
cross join counted
where legacy.legacy_rows <> counted.counted_rows
