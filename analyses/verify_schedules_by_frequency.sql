-- Runbook Step 4 "check schedules were created": schedules per frequency, and where each
-- came from (the curve's legacy schedule, or its product's default rule), and a last row
-- `total`.

select
    case when grouping(frequency) = 1 then 'total' else frequency::text end as frequency,
    count(*) as schedules,
    count(*) filter (where metadata ->> 'origin' = 'legacy_schedule') as from_legacy_schedule,
    count(*) filter (where metadata ->> 'origin' like 'default_rule%') as from_default_rule,
    count(*) filter (
        where metadata ->> 'source' is distinct from '{{ migration_marker() }}'
    ) as written_by_application
from {{ ref('CurveSchedule') }}
group by grouping sets ((frequency), ())
order by grouping(frequency), frequency
