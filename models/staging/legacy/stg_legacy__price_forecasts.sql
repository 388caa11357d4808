-- Every readiness test on every legacy table gates every staging view:
-- depends_on: {{ source('legacy', 'curve_definitions') }}
-- depends_on: {{ source('legacy', 'curve_schedule') }}

with

source as (
    select * from {{ source('legacy', 'price_forecasts') }}
),

renamed as (
    select
        id,
        curve_id,
        flow_date_start,
        granularity::text as granularity,
        value,
        units,
        location,
        mark_case,
        curve_creator,
        value_type,
        mark_date
    from source
)

select * from renamed
