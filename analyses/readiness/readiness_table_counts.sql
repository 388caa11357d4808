-- Readiness report (runbook Step 1): rows of each legacy table, and the curves the
-- readiness test expects (var expected_curve_count).

select
    'curve_definitions' as legacy_table,
    count(*) as row_count,
    'expected {{ var("expected_curve_count") | int }}' as expected
from {{ source('legacy', 'curve_definitions') }}
union all
select
    'price_forecasts' as legacy_table,
    count(*) as row_count,
    '' as expected
from {{ source('legacy', 'price_forecasts') }}
union all
select
    'curve_schedule' as legacy_table,
    count(*) as row_count,
    '' as expected
from {{ source('legacy', 'curve_schedule') }}
