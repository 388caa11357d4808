-- Backward compatible: for every migrated curve, curve_definitions_compat returns the
-- legacy row unchanged (all columns, same values), and nothing else for legacy ids.
-- SELECT * works on both sides because the view has the legacy columns in legacy order.

with

excepted_curves as (
    select source_id as curve_id from {{ ref('migration_exceptions') }}
    where source_table = 'curve_definitions'
),

legacy_curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

legacy as (
    select * from legacy_curves
    where curve_id not in (select excepted_curves.curve_id from excepted_curves)
),

compat as (
    select * from {{ ref('curve_definitions_compat') }}
    where curve_id in (select legacy_curves.curve_id from legacy_curves)
),

only_in_legacy as (
    select * from legacy
    except
    select * from compat
),

only_in_compat as (
    select * from compat
    except
    select * from legacy
)

select
    curve_id,
    'legacy row of curve ' || curve_id || ' is missing or different in the compat view' as failure
from only_in_legacy
union all
select
    curve_id,
    'compat view row of curve ' || curve_id || ' is not in the legacy table' as failure
from only_in_compat
