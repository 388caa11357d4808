-- Readiness report (runbook Step 1): curves whose market, mark_type or location is NULL or
-- blank; that part of the curve's name becomes UNKNOWN.

with

curves as (
    select * from {{ source('legacy', 'curve_definitions') }}
)

select
    'market' as column_name,
    count(*) as curve_count,
    coalesce(string_agg(curve_id::text, ', ' order by curve_id), '') as curve_ids
from curves
where coalesce(trim(market), '') = ''
union all
select
    'mark_type' as column_name,
    count(*) as curve_count,
    coalesce(string_agg(curve_id::text, ', ' order by curve_id), '') as curve_ids
from curves
where coalesce(trim(mark_type), '') = ''
union all
select
    'location' as column_name,
    count(*) as curve_count,
    coalesce(string_agg(curve_id::text, ', ' order by curve_id), '') as curve_ids
from curves
where coalesce(trim(location), '') = ''
