-- depends_on: {{ ref('CurveInstance') }}
-- Created empty: the legacy schema has no quality metrics.
select
    null::integer as id,
    null::integer as curve_instance_id,
    null::text as "metricType",
    null::double precision as "metricValue",
    null::text as "comparisonType",
    null::integer as "comparisonId",
    null::timestamp as "calculatedAt",
    null::jsonb as metadata
where false
