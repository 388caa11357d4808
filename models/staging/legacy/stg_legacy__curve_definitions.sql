-- Every readiness test on every legacy table gates every staging view:
-- depends_on: {{ source('legacy', 'price_forecasts') }}
-- depends_on: {{ source('legacy', 'curve_schedule') }}

with

source as (
    select * from {{ source('legacy', 'curve_definitions') }}
),

renamed as (
    select
        curve_id,
        mark_type,
        mark_case,
        mark_date,
        location,
        market,
        curve_creator,
        mark_fundamentals_desc,
        mark_model_type_desc,
        mark_dispatch_optimization_desc,
        gridstor_purpose,
        value_type,
        created_at,
        curve_start_date,
        curve_end_date,
        granularity
    from source
)

select * from renamed
