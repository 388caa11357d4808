-- The base name of every legacy curve (macro curve_base_name) and whether it holds the
-- UNKNOWN placeholder. CurveDefinition makes the base names unique (assign_curve_names).

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
)

select * from named
