-- Every legacy curve is mapped exactly once in LegacyCurveMapping, to a CurveDefinition
-- with the same id, unless migration_exceptions says why not. Returns the offenders.

with

legacy_curves as (
    select curve_id from {{ ref('stg_legacy__curve_definitions') }}
),

mappings as (
    select * from {{ ref('LegacyCurveMapping') }}
),

definitions as (
    select id from {{ ref('CurveDefinition') }}
),

excepted as (
    select source_id from {{ ref('migration_exceptions') }}
    where source_table = 'curve_definitions'
),

mapping_counts as (
    select
        legacy_curves.curve_id,
        count(mappings.id) as mappings,
        count(definitions.id) as definitions
    from legacy_curves
    left join mappings
        on legacy_curves.curve_id = mappings."oldCurveId"
    left join definitions
        on mappings."newCurveDefinitionId" = definitions.id
    group by legacy_curves.curve_id
)

select
    mapping_counts.*,
    'legacy curve ' || mapping_counts.curve_id || ' has ' || mapping_counts.mappings || ' mappings and '
    || mapping_counts.definitions || ' definitions, expected 1 and 1' as failure
from mapping_counts
where
    (mapping_counts.mappings <> 1 or mapping_counts.definitions <> 1)
    and mapping_counts.curve_id not in (select excepted.source_id from excepted)
