-- nothing reads the legacy table before every readiness test has passed (the gate):
-- depends_on: {{ ref('stg_legacy__tables') }}

with

source as (
    select
        legacy_rows.*,
        -- the row version: the transaction that wrote it (the verification leaves out rows
        -- written after the build's batch read the legacy tables)
        legacy_rows.xmin as row_version
    from {{ source('legacy', 'curve_definitions') }} as legacy_rows
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
        granularity,
        row_version
    from source
)

select * from renamed
