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
        row_number() over (
            partition by base_name
            order by created_at asc nulls last, curve_id asc
        ) as name_rank
    from named
),

suffixed as (
    select
        curve_id,
        base_name,
        uses_placeholder,
        name_rank,
        case
            when name_rank = 1 then base_name
            else base_name || '_V' || name_rank
        end as curve_name
    from ranked
)

select * from suffixed
