-- nothing reads the legacy table before every readiness test has passed (the gate):
-- depends_on: {{ ref('stg_legacy__tables') }}

with

source as (
    select
        legacy_rows.*,
        -- the row version: the transaction that wrote it (price_load_batches reads the
        -- rows changed since the last batch by it)
        legacy_rows.xmin as row_version
    from {{ source('legacy', 'price_forecasts') }} as legacy_rows
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
        mark_date,
        row_version
    from source
)

select * from renamed
