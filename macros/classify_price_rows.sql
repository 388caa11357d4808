{#- SELECT that gives every legacy price row its forecast run and, when it cannot be
    migrated, the reason. Used by int_price_rows_classified (on the staging views) and by
    the readiness test on the raw source, so Step 1 and Step 3 apply one rule.

    A forecast run is (curve, mark_date of the price row or else of the curve, value_type):
    two runs, or two value_types, of one curve never share an instance, so they never
    collide on the unique (curve_instance_id, timestamp). -#}
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

runs_assigned as (
    select
        prices.id,
        prices.curve_id,
        prices.flow_date_start,
        prices.value,
        prices.units,
        prices.value_type,
        prices.location,
        prices.mark_case,
        prices.curve_creator,
        curves.curve_id is not null as curve_exists,
        coalesce(prices.mark_date, curves.mark_date) as forecast_run_date,
        coalesce('v:' || prices.value_type, 'null') as value_type_key
    from prices
    left join curves
        on prices.curve_id = curves.curve_id
),

basic_checks as (
    select
        runs_assigned.*,
        case
            when curve_id is null then 'curve_id is null'
            when not curve_exists then 'curve_id has no legacy curve'
            when flow_date_start is null then 'flow_date_start is null'
            when value is null then 'value is null'
            when forecast_run_date is null then 'no run date: mark_date null on price and curve'
            -- ids at or above the start of PriceForecast's application range belong to the application
            when not {{ below_application_id_range('id', model_relation('PriceForecast')) }}
                then 'id is in the application id range of PriceForecast'
        end as basic_reason
    from runs_assigned
),

duplicates_ranked as (
    select
        basic_checks.*,
        row_number() over (
            partition by
                basic_reason is null, curve_id, forecast_run_date, value_type_key, flow_date_start
            order by id
        ) as duplicate_rank
    from basic_checks
),

classified as (
    select
        id,
        curve_id,
        flow_date_start,
        value,
        units,
        value_type,
        value_type_key,
        forecast_run_date,
        location,
        mark_case,
        curve_creator,
        coalesce(
            basic_reason,
            case
                when duplicate_rank > 1
                    then 'duplicate: same curve, run, value_type and flow_date_start as a lower id'
            end
        ) as exception_reason
    from duplicates_ranked
)

select * from classified
{%- endmacro %}
