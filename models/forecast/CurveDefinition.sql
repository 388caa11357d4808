-- Every other new table depends on this one, so the enum types are made here, once, never
-- concurrently (parallel catalog updates collide).
{{ config(
    unique_key = 'id',
    incremental_strategy = 'upsert',
    upsert_keep_columns = ['createdAt', 'curveName'],
    upsert_touch_columns = ['updatedAt'],
    pre_hook = [{'sql': '{{ create_enum_types() }}', 'transaction': false}],
    post_hook = ["{{ reserve_application_ids('curve_definitions') }}"],
) }}

with

curves as (
    select * from {{ ref('int_curve_attributes_derived') }}
),

names as (
    select * from {{ ref('int_curve_names_derived') }}
),

existing as (
    -- the curves of earlier builds, the application's included (none on the first build)
    {% if is_incremental() %}
        select
            id,
            "curveName",
            metadata
        from {{ this }}
    {% else %}
        select
            null::integer as id,
            null::text as "curveName",
            null::jsonb as metadata
        where false
    {% endif %}
),

unnamed as (
    -- the legacy curves this build adds (the legacy id range only: see final)
    select
        curve_id,
        base_name,
        created_at
    from names
    where
        {{ below_application_id_range('curve_id', this) }}
        and curve_id not in (select existing.id from existing)
),

new_names as (
    -- unique whatever the legacy names hold; every name in the table is taken
    {{ assign_curve_names('unnamed', 'select "curveName" from existing') | indent(4) }}
),

curve_names as (
    -- a curve keeps the name an earlier build gave it
    select
        curve_id,
        curve_name
    from new_names
    union all
    select
        id as curve_id,
        "curveName" as curve_name
    from existing
),

final as (
    -- new legacy curves, and curves whose legacy row (or derived units) changed: an unchanged
    -- curve is not rewritten, so edits the application made stay. A legacy id inside the
    -- application's id range is never merged (migration_exceptions lists it).
    select
        curves.curve_id as id,
        curve_names.curve_name as "curveName",
        curves.market,
        curves.location,
        curves.product,
        curves.commodity,
        curves.units,
        curves.granularity,
        curves.timezone,
        curves.description,
        true as "isActive",
        curves.metadata,
        coalesce(curves.created_at, {{ run_started_at_literal() }}) as "createdAt",
        {{ run_started_at_literal() }} as "updatedAt"
    from curves
    inner join curve_names
        on curves.curve_id = curve_names.curve_id
    left join existing
        on curves.curve_id = existing.id
    where
        existing.metadata is distinct from curves.metadata
        and {{ below_application_id_range('curves.curve_id', this) }}
)

select * from final
