-- `forecast-migrate status`: per legacy table, the legacy rows the next build carries over.
-- Price rows: those written since the last batch PriceForecast loaded (macro
-- row_changed_since) that the migration holds nothing for, or holds other values for
-- (corrected); and the migrated rows deleted from the legacy table since, listed in
-- migration_exceptions or not yet. Curves and schedules: the legacy rows neither migrated
-- nor listed, and the migrated curves whose legacy row changed since. Needs a migrated
-- database.
{%- set last_loaded -%}
    (
        select batches.snapshot from {{ ref('price_load_batches') }} as batches
        where batches.loaded_at is not null
        order by batches.batch_id desc
        limit 1
    )
{%- endset %}

with

changed_prices as (
    -- every row when no batch was loaded yet
    select legacy.*
    from {{ ref('stg_legacy__price_forecasts') }} as legacy
    where {{ last_loaded }} is null or {{ row_changed_since('legacy.row_version', last_loaded) }}
)


select
    'price_forecasts' as legacy_table,
    count(*) filter (where held.id is null) as pending_rows
from changed_prices
left join {{ ref('price_forecasts_compat') }} as held
    on changed_prices.id = held.id

union all

select
    'price_forecasts (corrected)' as legacy_table,
    count(*) filter (
        where held.id is not null and (
            changed_prices.curve_id, changed_prices.flow_date_start, changed_prices.granularity,
            changed_prices.value, changed_prices.units, changed_prices.location,
            changed_prices.mark_case, changed_prices.curve_creator, changed_prices.value_type,
            changed_prices.mark_date
        ) is distinct from (
            held.curve_id, held.flow_date_start, held.granularity::text, held.value, held.units,
            held.location, held.mark_case, held.curve_creator, held.value_type, held.mark_date
        )
    ) as pending_rows
from changed_prices
left join {{ ref('price_forecasts_compat') }} as held
    on changed_prices.id = held.id

union all

select
    'price_forecasts (deleted, not listed yet)' as legacy_table,
    count(*) as pending_rows
from (
    {{ deleted_price_rows_not_listed() | indent(4) }}
) as deleted

union all

select
    'price_forecasts (deleted, listed)' as legacy_table,
    count(*) as pending_rows
from {{ ref('migration_exceptions') }} as listed
where listed.source_table = 'price_forecasts' and listed.reason = '{{ deleted_price_row_reason() }}'

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
where migrated.metadata -> 'legacy' is distinct from to_jsonb(legacy) - 'row_version'

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
