{#- Readiness (warn): legacy curves that will not get their derived name as their curveName
    because another curve takes it first; each row says the name it will get instead, by
    the rule the models apply (assign_curve_names, on a database not migrated yet). -#}
{% test derived_name_collisions(model) %}

with

named as (
    select
        curve_id,
        created_at,
        {{ curve_base_name('market', 'mark_type', 'location') }} as base_name
    from {{ model }}
),

assigned as (
    {{ assign_curve_names('named', 'select null::text where false') | indent(4) }}
)

select
    named.curve_id,
    named.base_name,
    assigned.curve_name
from named
inner join assigned
    on named.curve_id = assigned.curve_id
where assigned.name_suffix > 1

{% endtest %}
