-- For every legacy curve: the legacy schedule it keeps (the most recently updated active
-- one) with its frequency mapped through the spelling seed, or the product's default rule
-- (int_curve_product_rules_matched) when it has no active legacy schedule or the spelling
-- is unknown. Every legacy schedule of the curve travels along as JSON, so nothing is lost.

with

schedules as (
    select * from {{ ref('stg_legacy__curve_schedule') }}
),

spellings as (
    select * from {{ ref('update_frequency_spellings') }}
),

product_rules as (
    select * from {{ ref('int_curve_product_rules_matched') }}
),

schedules_ranked as (
    select
        schedules.*,
        row_number() over (
            partition by schedules.curve_id
            order by
                schedules.is_active_or_default desc,
                coalesce(schedules.updated_at, schedules.created_at) desc nulls last,
                schedules.schedule_id desc
        ) as preference_rank
    from schedules
),

schedules_per_curve as (
    select
        curve_id,
        jsonb_agg(
            jsonb_build_object(
                'schedule_id', schedule_id,
                'update_frequency', update_frequency,
                'next_update_due', next_update_due,
                'last_successful_update', last_successful_update,
                'is_active', is_active,
                'created_at_utc', created_at_utc,
                'updated_at_utc', updated_at_utc
            )
            order by schedule_id
        ) as legacy_schedules
    from schedules
    group by curve_id
),

chosen as (
    select *
    from schedules_ranked
    where preference_rank = 1 and is_active_or_default
),

combined as (
    select
        product_rules.curve_id,
        chosen.schedule_id as legacy_schedule_id,
        chosen.update_frequency as legacy_update_frequency,
        chosen.created_at_utc as legacy_created_at_utc,
        spellings.update_frequency as mapped_frequency,
        chosen.schedule_id is not null and spellings.update_frequency is null
            as has_unknown_spelling,
        coalesce(spellings.update_frequency, product_rules.frequency) as frequency,
        case
            when spellings.update_frequency is null then product_rules.day_of_month
        end as day_of_month,
        product_rules.freshness_hours,
        case
            when spellings.update_frequency is not null then 'legacy_schedule'
            when chosen.schedule_id is not null then 'default_rule_unknown_spelling'
            else 'default_rule'
        end as schedule_origin,
        coalesce(schedules_per_curve.legacy_schedules, '[]'::jsonb) as legacy_schedules
    from product_rules
    left join chosen
        on product_rules.curve_id = chosen.curve_id
    left join spellings
        on chosen.update_frequency_normalised = spellings.legacy_spelling
    left join schedules_per_curve
        on product_rules.curve_id = schedules_per_curve.curve_id
)

select * from combined
