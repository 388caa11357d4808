{#- Readiness (warn): legacy curves whose derived name collides with another curve's.
    The models resolve these by suffixing later curves _V2, _V3, ... -#}
{% test derived_name_collisions(model) %}

with

named as (
    select
        curve_id,
        {{ curve_base_name('market', 'mark_type', 'location') }} as base_name
    from {{ model }}
),

counted as (
    select
        curve_id,
        base_name,
        count(*) over (partition by base_name) as curves_with_name
    from named
)

select *
from counted
where curves_with_name > 1

{% endtest %}
