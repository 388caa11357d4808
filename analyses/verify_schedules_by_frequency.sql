-- Runbook Step 4 "check schedules were created": schedules per frequency, and where each
-- came from (the curve's legacy schedule, or its product's default rule).

select
    frequency::text as frequency,
    count(*) as schedules,
    count(*) filter (where metadata ->> 'origin' = 'legacy_schedule') as from_legacy_schedule,
    count(*) filter (where metadata ->> 'origin' like 'default_rule%') as from_default_rule,
    count(*) filter (
        where metadata ->> 'source' is distinct from '{{ migration_marker() }}'
    ) as written_by_application
from {{ ref('CurveSchedule') }}
group by frequency
order by frequency
