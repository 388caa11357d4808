with

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

named as (
    select
        curve_id,
        created_at,
        {{ curve_base_name('market', 'mark_type', 'location') }} as base_name,
        coalesce(trim(market), '') = ''
        or coalesce(trim(mark_type), '') = ''
        or coalesce(trim(location), '') = '' as uses_placeholder
    from curves
),

ranked as (
    select
        curve_id,
        base_name,
        uses_placeholder,
        {{ curve_name_rank('base_name', 'created_at', 'curve_id') }} as name_rank
    from named
),

suffixed as (
    select
        curve_id,
        base_name,
        uses_placeholder,
        name_rank,
        {{ suffixed_curve_name('base_name', 'name_rank') }} as curve_name
    from ranked
)

select * from suffixed
