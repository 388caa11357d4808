-- depends_on: {{ ref('CurveSchedule') }}
-- Created empty: the legacy schema records no schedule runs.
select
    null::integer as id,
    null::integer as schedule_id,
    null::timestamp as "scheduledFor",
    null::timestamp as "startedAt",
    null::timestamp as "completedAt",
    null::"RunStatus" as status,
    null::integer as "instancesCreated",
    null::text as "errorMessage",
    null::jsonb as metadata
where false
