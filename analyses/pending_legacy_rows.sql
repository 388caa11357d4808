-- `forecast-migrate status`: per legacy table, the legacy rows neither migrated nor listed in
-- migration_exceptions by the last build, i.e. rows written since that the next build
-- carries over; for curve_definitions also the migrated curves whose legacy row changed
-- since (the next build rewrites them). Needs a migrated database.

select
    'price_forecasts' as legacy_table,
    count(*) as pending_rows
from {{ source('legacy', 'price_forecasts') }} as legacy
where
    not exists (
        select 1 from {{ ref('PriceForecast') }} as migrated
        where migrated.id = legacy.id
    )
    and not exists (
        select 1 from {{ ref('migration_exceptions') }} as excepted
        where excepted.source_table = 'price_forecasts' and excepted.source_id = legacy.id
    )

union all

select
    'curve_definitions' as legacy_table,
    count(*) as pending_rows
from {{ source('legacy', 'curve_definitions') }} as legacy
where
    not exists (
        select 1 from {{ ref('LegacyCurveMapping') }} as mapped
        where mapped."oldCurveId" = legacy.curve_id
    )
    and not exists (
        select 1 from {{ ref('migration_exceptions') }} as excepted
        where excepted.source_table = 'curve_definitions' and excepted.source_id = legacy.curve_id
    )

union all

select
    'curve_definitions (changed)' as legacy_table,
    count(*) as pending_rows
from {{ ref('stg_legacy__curve_definitions') }} as legacy
inner join {{ ref('CurveDefinition') }} as migrated
    on
        legacy.curve_id = migrated.id
        and migrated.metadata ->> 'source' = '{{ migration_marker() }}'
where migrated.metadata -> 'legacy' is distinct from to_jsonb(legacy)

union all

select
    'curve_schedule' as legacy_table,
    count(*) as pending_rows
from {{ source('legacy', 'curve_schedule') }} as legacy
where
    not exists (
        select 1 from {{ ref('CurveSchedule') }} as migrated
        where
            migrated.metadata ->> 'source' = '{{ migration_marker() }}'
            and migrated.metadata ->> 'legacyScheduleId' = legacy.schedule_id::text
    )
    and not exists (
        select 1 from {{ ref('migration_exceptions') }} as excepted
        where excepted.source_table = 'curve_schedule' and excepted.source_id = legacy.schedule_id
    )
