-- For every legacy curve, the row of seed product_defaults that applies to it: its
-- product's own row (legacy mark_type, trimmed and upper-cased), or the `*` row when the
-- product is not listed. The one home of that fallback: CurveDefinition takes the
-- commodity from it, int_curve_schedules_chosen the default schedule.

with

curves as (
    select * from {{ ref('stg_legacy__curve_definitions') }}
),

product_defaults as (
    select * from {{ ref('product_defaults') }}
),

matched as (
    select
        curves.curve_id,
        product_rule.product,
        product_rule.commodity,
        product_rule.frequency,
        product_rule.day_of_month,
        product_rule.freshness_hours
    from curves
    inner join product_defaults as product_rule
        on product_rule.product = coalesce(
            (
                select listed.product from product_defaults as listed
                where listed.product = {{ normalised_key('curves.mark_type') }}
            ),
            '*'
        )
)

select * from matched
