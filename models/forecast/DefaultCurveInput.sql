-- depends_on: {{ ref('CurveDefinition') }}
-- Created empty: the legacy schema has no default curve inputs.
select
    null::integer as id,
    null::integer as curve_definition_id,
    null::"InputType" as "inputType",
    null::text as "inputSource",
    null::text as "inputIdentifier",
    null::boolean as "isRequired",
    null::double precision as "defaultWeight",
    null::timestamp as "validFrom",
    null::timestamp as "validUntil"
where false
