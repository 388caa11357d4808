-- Readiness report (runbook Step 1): the legacy price rows that will be listed in
-- migration_exceptions instead of migrated, per reason, with the first ids.

with

unmigratable as (
    {{ unmigratable_price_rows_query(source('legacy', 'price_forecasts'), source('legacy', 'curve_definitions')) | indent(4) }}
)

select
    exception_reason,
    count(*) as row_count,
    array_to_string((array_agg(id order by id))[1:5], ', ') as first_ids
from unmigratable
group by exception_reason
order by row_count desc, exception_reason asc
