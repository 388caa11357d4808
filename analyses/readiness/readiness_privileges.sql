-- Readiness report (runbook Step 1): the privileges each new relation will get, those other
-- roles hold today on the legacy table it replaces (config meta.privileges_from, macro
-- legacy_grants_query, as the post-hook grant_legacy_privileges grants them).
{%- set replacing = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model' and (node.config.meta or {}).get('privileges_from') %}
        {%- do replacing.append(node) %}
    {%- endfor %}
{%- endif %}

with

planned as (
    {%- for node in replacing %}
    select
        grantee,
        '{{ node.config.meta.privileges_from }}' as legacy_table,
        '{{ node.alias }}' as new_relation,
        privilege_type,
        is_grantable
    from (
        {{ legacy_grants_query(
            "to_regclass('" ~ (source('legacy', node.config.meta.privileges_from) | replace("'", "''")) ~ "')",
            'table' if node.config.materialized in ('table', 'incremental') else 'view'
        ) | indent(8) }}
    ) as grants
    {{ 'union all' if not loop.last }}
    {%- else %}
        select
            null::text as grantee,
            null::text as legacy_table,
            null::text as new_relation,
            null::text as privilege_type,
            null::boolean as is_grantable
        where false
    {%- endfor %}
)

select
    grantee,
    legacy_table,
    new_relation,
    string_agg(
        privilege_type || case when is_grantable then ' (grantable)' else '' end,
        ', ' order by privilege_type
    ) as privileges
from planned
group by grantee, legacy_table, new_relation
order by grantee, legacy_table, new_relation
