-- depends_on: {{ ref('CurveInstance') }}
-- Created empty: the legacy schema has no version history to migrate.
select
    null::integer as id,
    null::integer as curve_instance_id,
    null::integer as previous_instance_id,
    null::"ChangeType" as "changeType",
    null::text as "changeReason",
    null::text as "changedBy",
    null::timestamp as "changedAt",
    null::jsonb as "changeDetails"
where false
