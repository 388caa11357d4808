-- Every legacy row that did not become a row of its own in the new tables, with the
-- reason. With PriceForecast, CurveDefinition and CurveSchedule this accounts for every
-- legacy row (tests/assert_every_legacy_row_accounted_for.sql).

with

price_rows as (
    select * from {{ ref('int_price_rows_classified') }}
),

migrated_prices as (
    select id from {{ ref('PriceForecast') }}
),

curves as (
    select curve_id from {{ ref('stg_legacy__curve_definitions') }}
),

migrated_curves as (
    select id from {{ ref('CurveDefinition') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

schedules as (
    select * from {{ ref('stg_legacy__curve_schedule') }}
),

chosen_schedules as (
    select * from {{ ref('int_curve_schedules_chosen') }}
),

price_exceptions as (
    select
        'price_forecasts' as source_table,
        price_rows.id as source_id,
        coalesce(
            price_rows.exception_reason,
            case
                when price_rows.curve_id not in (select migrated_curves.id from migrated_curves)
                    then 'its curve was not migrated'
                else 'not migrated'
            end
        ) as reason
    from price_rows
    where
        price_rows.exception_reason is not null
        or not exists (
            select 1 from migrated_prices
            where migrated_prices.id = price_rows.id
        )
),

curve_exceptions as (
    select
        'curve_definitions' as source_table,
        curves.curve_id as source_id,
        case
            when not {{ below_application_id_range('curves.curve_id', ref('CurveDefinition')) }}
                then 'curve_id is in the application id range of CurveDefinition'
            else 'not migrated'
        end as reason
    from curves
    where curves.curve_id not in (select migrated_curves.id from migrated_curves)
),

schedule_exceptions as (
    select
        'curve_schedule' as source_table,
        schedules.schedule_id as source_id,
        case
            when chosen_schedules.legacy_schedule_id = schedules.schedule_id
                then
                    'unknown update_frequency spelling ''' || schedules.update_frequency
                    || ''': the default rule was applied; the legacy row is kept in CurveSchedule.metadata'
            when not schedules.is_active_or_default
                then
                    'inactive: kept in CurveSchedule.metadata.legacySchedules of curve '
                    || schedules.curve_id
            else
                'another active schedule of curve ' || schedules.curve_id
                || ' is more recent: kept in CurveSchedule.metadata.legacySchedules'
        end as reason
    from schedules
    left join chosen_schedules
        on schedules.curve_id = chosen_schedules.curve_id
    where
        chosen_schedules.legacy_schedule_id is distinct from schedules.schedule_id
        or chosen_schedules.has_unknown_spelling
),

final as (
    select * from price_exceptions
    union all
    select * from curve_exceptions
    union all
    select * from schedule_exceptions
)

select * from final
