-- Runbook Step 4 "Verify all 72 curves migrated": the legacy curves mapped to a migrated
-- CurveDefinition number exactly var('expected_curve_count').

with

migrated as (
    select count(*) as migrated_curves
    from {{ ref('LegacyCurveMapping') }} as mappings
    inner join {{ ref('CurveDefinition') }} as definitions
        on mappings."newCurveDefinitionId" = definitions.id
    where definitions.metadata ->> 'source' = '{{ migration_marker() }}'
)

select
    migrated_curves,
    'expected {{ var("expected_curve_count") }} migrated curves, found ' || migrated_curves as failure
from migrated
where migrated_curves <> {{ var('expected_curve_count') | int }}
