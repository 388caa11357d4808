-- Readiness report (runbook Step 1): the curves that share a derived base name or will not
-- get theirs, with the name each will get (macro assign_curve_names, as CurveDefinition
-- applies it). Curves an earlier build named keep their names and are not listed.
-- depends_on: {{ ref("CurveDefinition") }}
{%- set definitions = load_relation(ref('CurveDefinition')) if execute else none %}

with

legacy_curves as (
    select * from {{ source('legacy', 'curve_definitions') }}
),

named as (
    select
        curve_id,
        market,
        mark_type,
        location,
        created_at,
        {{ curve_base_name('market', 'mark_type', 'location') }} as base_name
    from legacy_curves
    {%- if definitions is not none %}
        where curve_id not in (select existing.id from {{ definitions }} as existing)
    {%- endif %}
),

assigned as (
    {%- if definitions is not none %}
    {{ assign_curve_names('named', 'select "curveName" from ' ~ definitions) | indent(4) }}
    {%- else %}
        {{ assign_curve_names('named', 'select null::text where false') | indent(4) }}
    {%- endif %}
),

shared as (
    select
        named.*,
        count(*) over (partition by named.base_name) as curves_with_name
    from named
)

select
    shared.base_name,
    shared.curve_id,
    shared.market,
    shared.mark_type,
    shared.location,
    shared.created_at,
    assigned.curve_name as will_be_named
from shared
inner join assigned
    on shared.curve_id = assigned.curve_id
where shared.curves_with_name > 1 or assigned.name_suffix > 1
order by shared.base_name, assigned.name_suffix, shared.curve_id
