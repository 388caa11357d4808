-- Every other new table depends on this one, so the enum types are made here, once, never
-- concurrently (parallel catalog updates collide).
{{ config(
    unique_key = 'id',
    incremental_strategy = 'upsert',
    upsert_keep_columns = ['createdAt', 'curveName'],
    upsert_touch_columns = ['updatedAt'],
    pre_hook = [{'sql': '{{ create_enum_types() }}', 'transaction': false}],
    post_hook = [
        "{{ reserve_application_ids('curve_definitions') }}",
    ],
) }}

with

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

names as (
    select * from {{ ref('int_curve_names_derived') }}
),

latest_runs as (
    select * from {{ ref('int_forecast_runs_summarised') }}
    where recency_rank = 1
),

timezones as (
    select * from {{ ref('market_timezones') }}
),

product_rules as (
    select * from {{ ref('int_curve_product_rules_matched') }}
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

derived as (
    select
        curves.curve_id as id,
        curve_names.curve_name as "curveName",
        coalesce(nullif(trim(curves.market), ''), '{{ unknown_placeholder() }}') as market,
        coalesce(nullif(trim(curves.location), ''), '{{ unknown_placeholder() }}') as location,
        coalesce(nullif(trim(curves.mark_type), ''), '{{ unknown_placeholder() }}') as product,
        product_rules.commodity,
        coalesce(latest_runs.units, '{{ unknown_placeholder() }}') as units,
        coalesce(nullif(trim(curves.granularity), ''), '{{ unknown_placeholder() }}') as granularity,
        coalesce(timezones.timezone, 'UTC') as timezone,
        nullif(concat_ws(
            '; ',
            'case: ' || curves.mark_case,
            'creator: ' || curves.curve_creator,
            'purpose: ' || curves.gridstor_purpose
        ), '') as description,
        true as "isActive",
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'legacy', to_jsonb(curves) - 'row_version',
            'unitsFromPrices', latest_runs.units
        ) as metadata,
        coalesce(curves.created_at, {{ run_started_at_literal() }}) as "createdAt",
        {{ run_started_at_literal() }} as "updatedAt"
    from curves
    inner join curve_names
        on curves.curve_id = curve_names.curve_id
    left join latest_runs
        on curves.curve_id = latest_runs.curve_id
    left join timezones
        on {{ normalised_key('curves.market') }} = timezones.market
    inner join product_rules
        on curves.curve_id = product_rules.curve_id
),

changed as (
    -- new legacy curves, and curves whose legacy row (or derived units) changed; an
    -- unchanged curve is not rewritten, so edits the application made stay
    select derived.*
    from derived
    left join existing
        on derived.id = existing.id
    where existing.metadata is distinct from derived.metadata
),

final as (
    select
        id,
        "curveName",
        market,
        location,
        product,
        commodity,
        units,
        granularity,
        timezone,
        description,
        "isActive",
        metadata,
        "createdAt",
        "updatedAt"
    from changed
    -- a legacy id inside the application's id range is never merged (migration_exceptions)
    where {{ below_application_id_range("id", this) }}
)

select * from final
