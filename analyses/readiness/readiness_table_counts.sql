-- Readiness report (runbook Step 1): rows of each legacy table.

select
    'curve_definitions' as legacy_table,
    count(*) as row_count
from {{ source('legacy', 'curve_definitions') }}
union all
select
    'price_forecasts' as legacy_table,
    count(*) as row_count
from {{ source('legacy', 'price_forecasts') }}
union all
select
    'curve_schedule' as legacy_table,
    count(*) as row_count
from {{ source('legacy', 'curve_schedule') }}
