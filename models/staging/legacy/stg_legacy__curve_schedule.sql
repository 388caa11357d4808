-- nothing reads the legacy table before every readiness test has passed (the gate):
-- depends_on: {{ ref('stg_legacy__tables') }}

with

source as (
    select
        legacy_rows.*,
        -- the row version: the transaction that wrote it (the verification leaves out rows
        -- written after the build's batch read the legacy tables)
        legacy_rows.xmin as row_version
    from {{ source('legacy', 'curve_schedule') }} as legacy_rows
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
        updated_at at time zone 'UTC' as updated_at_utc,
        row_version
    from source
)

select * from renamed
