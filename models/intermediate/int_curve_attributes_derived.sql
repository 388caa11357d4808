-- Every legacy curve with the CurveDefinition columns derived from it, its latest forecast run,
-- the seeds and its product rule: UNKNOWN for a blank NOT NULL value, and the metadata that
-- keeps the legacy row. CurveDefinition adds the unique name and writes the curves that changed.

with

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
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

final as (
    select
        curves.curve_id,
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
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'legacy', to_jsonb(curves) - 'row_version',
            'unitsFromPrices', latest_runs.units
        ) as metadata,
        curves.created_at
    from curves
    left join latest_runs
        on curves.curve_id = latest_runs.curve_id
    left join timezones
        on {{ normalised_key('curves.market') }} = timezones.market
    inner join product_rules
        on curves.curve_id = product_rules.curve_id
)

select * from final
