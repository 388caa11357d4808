{% macro classify_price_rows(prices, curves) -%}
with

prices as (
    select * from {{ prices }}
),

curves as (
    select
        curve_id,
        mark_date
    from {{ curves }}
),

classified as (
    select
        prices.id,
        prices.curve_id,
        prices.flow_date_start,
        prices.granularity::text as granularity,
        prices.value,
        prices.units,
        prices.value_type,
        coalesce('v:' || prices.value_type, 'null') as value_type_key,
        prices.mark_date,
        coalesce(prices.mark_date, curves.mark_date) as forecast_run_date,
        prices.location,
        prices.mark_case,
        prices.curve_creator,
        prices.row_version,
        case
            when prices.curve_id is null then 'curve_id is null'
            when curves.curve_id is null then 'curve_id has no legacy curve'
            when prices.flow_date_start is null then 'flow_date_start is null'
            when prices.value is null then 'value is null'
            when coalesce(prices.mark_date, curves.mark_date) is null
                then 'no run date: mark_date null on price and curve'
            -- ids at or above the start of PriceForecast's application range belong to the application
            when not {{ below_application_id_range('prices.id', model_relation('PriceForecast')) }}
                then 'id is in the application id range of PriceForecast'
            -- a legacy curve_id in CurveDefinition's application range is not migrated
            when not {{ below_application_id_range('prices.curve_id', model_relation('CurveDefinition')) }}
                then 'its curve was not migrated'
        end as exception_reason
    from prices
    left join curves
        on prices.curve_id = curves.curve_id
)

select * from classified
{%- endmacro %}
