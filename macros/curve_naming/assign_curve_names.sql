{% macro assign_curve_names(new_curves, taken_names) -%}
with recursive

naming_order as (
    select
        curve_id,
        base_name,
        row_number() over (order by created_at asc nulls last, curve_id asc) as position,
        row_number() over (
            partition by base_name
            order by created_at asc nulls last, curve_id asc
        ) as base_rank
    from {{ new_curves }}
),

naming_taken as (
    select taken_rows.taken_name
    from ({{ taken_names }}) as taken_rows (taken_name)
    where taken_rows.taken_name is not null
),

naming_own as (
    select
        curve_id,
        base_name as curve_name,
        1 as name_suffix
    from naming_order
    where
        base_rank = 1
        and base_name not in (select naming_taken.taken_name from naming_taken)
),

naming_rest as (
    select
        curve_id,
        base_name,
        row_number() over (order by position) as step
    from naming_order
    where curve_id not in (select naming_own.curve_id from naming_own)
),

naming_steps (step, curve_id, curve_name, name_suffix, taken) as (
    select
        0::bigint,
        null::integer,
        null::text,
        null::integer,
        array(select naming_taken.taken_name from naming_taken)
        || array(select naming_own.curve_name from naming_own)

    union all

    select
        naming_rest.step,
        naming_rest.curve_id,
        chosen.curve_name,
        chosen.name_suffix,
        naming_steps.taken || chosen.curve_name
    from naming_steps
    inner join naming_rest
        on naming_rest.step = naming_steps.step + 1
    cross join lateral (
        select
            suffix as name_suffix,
            {{ suffixed_curve_name('naming_rest.base_name', 'suffix') }} as curve_name
        -- every candidate starts with base_name, so at most one per taken name with that
        -- prefix can be in use: among one more candidates than those, one is free
        from generate_series(
            1,
            1 + (
                select count(*)::integer from unnest(naming_steps.taken) as taken_name
                where left(taken_name, length(naming_rest.base_name)) = naming_rest.base_name
            )
        ) as suffix
        where {{ suffixed_curve_name('naming_rest.base_name', 'suffix') }} <> all(naming_steps.taken)
        order by suffix
        limit 1
    ) as chosen
)

select
    curve_id,
    curve_name,
    name_suffix
from naming_own

union all

select
    curve_id,
    curve_name,
    name_suffix
from naming_steps
where step > 0
{%- endmacro %}
