-- Every readiness test on every legacy table gates every staging view:
-- depends_on: {{ source('legacy', 'curve_definitions') }}
-- depends_on: {{ source('legacy', 'price_forecasts') }}

with

source as (
    select * from {{ source('legacy', 'curve_schedule') }}
),

renamed as (
    select
        schedule_id,
        curve_id,
        update_frequency,
        {{ normalised_key('update_frequency') }} as update_frequency_normalised,
        next_update_due,
        last_successful_update,
        is_active,
        coalesce(is_active, true) as is_active_or_default,
        created_at,
        updated_at,
        -- timestamptz pinned to UTC so derived values do not depend on the session time zone
        created_at at time zone 'UTC' as created_at_utc,
        updated_at at time zone 'UTC' as updated_at_utc
    from source
)

select * from renamed
