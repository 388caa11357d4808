{{ config(
    incremental_strategy = 'append',
    post_hook = ["{{ reserve_application_ids(source('legacy', 'price_forecasts'), 'id') }}"],
) }}

with

price_rows as (
    select * from {{ ref('int_price_rows_classified') }}
    where exception_reason is null
),

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

legacy_instances as (
    select
        id as curve_instance_id,
        curve_definition_id,
        "forecastRunDate" as forecast_run_date,
        metadata ->> 'legacyValueTypeKey' as value_type_key,
        metadata ->> 'unitsFromPrices' as instance_units
    from {{ ref('CurveInstance') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

placed as (
    select
        price_rows.id,
        legacy_instances.curve_instance_id,
        price_rows.flow_date_start,
        price_rows.value,
        -- the row's denormalised copies that disagree with its curve or instance, kept
        array_remove(array[
            case
                when price_rows.units is distinct from legacy_instances.instance_units
                    then 'legacy_units:' || coalesce(price_rows.units, 'NULL')
            end,
            case
                when price_rows.location is distinct from curves.location
                    then 'legacy_location:' || coalesce(price_rows.location, 'NULL')
            end,
            case
                when price_rows.mark_case is distinct from curves.mark_case
                    then 'legacy_mark_case:' || coalesce(price_rows.mark_case, 'NULL')
            end,
            case
                when price_rows.curve_creator is distinct from curves.curve_creator
                    then 'legacy_curve_creator:' || coalesce(price_rows.curve_creator, 'NULL')
            end
        ], null) as disagreements
    from price_rows
    inner join legacy_instances
        on
            price_rows.curve_id = legacy_instances.curve_definition_id
            and price_rows.forecast_run_date = legacy_instances.forecast_run_date
            and price_rows.value_type_key = legacy_instances.value_type_key
    inner join curves
        on price_rows.curve_id = curves.curve_id
    where
        {{ below_application_id_range('price_rows.id', this) }}
        {% if is_incremental() %}
            -- legacy rows are append-only: only ids not yet migrated are carried over
            and not exists (
                select 1 from {{ this }} as migrated
                where migrated.id = price_rows.id
            )
        {% endif %}
),

final as (
    select
        id,
        curve_instance_id,
        flow_date_start as timestamp,
        value,
        null::double precision as confidence,
        null::double precision as "valueHigh",
        null::double precision as "valueLow",
        case when cardinality(disagreements) > 0 then disagreements end as flags
    from placed
)

select * from final
