-- Readiness report (runbook Step 1): curves whose market, mark_type or location is NULL or
-- blank; that part of the curve's name becomes UNKNOWN.

with

curves as (
    select * from {{ source('legacy', 'curve_definitions') }}
),

name_parts as (
    select
        curves.curve_id,
        name_part.sort_order,
        name_part.column_name,
        coalesce(trim(name_part.part_value), '') = '' as is_blank
    from curves
    cross join lateral (
        values
        (1, 'market', curves.market),
        (2, 'mark_type', curves.mark_type),
        (3, 'location', curves.location)
    ) as name_part (sort_order, column_name, part_value)
)

select
    column_name,
    count(*) filter (where is_blank) as curve_count,
    coalesce(string_agg(curve_id::text, ', ' order by curve_id) filter (where is_blank), '') as curve_ids
from name_parts
group by sort_order, column_name
order by sort_order
