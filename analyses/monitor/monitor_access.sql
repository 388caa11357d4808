-- `forecast-migrate monitor`, check access: every role that holds a privilege on a legacy
-- table today holds it on each new relation that replaces that table (config
-- meta.privileges_from), SELECT only on the compat views (macro legacy_grants_query, as the
-- post-hook grant_legacy_privileges grants them), and can reach the relation's schema. Asked
-- of the database as it is now (has_table_privilege, has_schema_privilege), not of what the
-- build granted. One row per missing privilege (fail), and one row that counts the rest.
{%- set replacing = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model' and (node.config.meta or {}).get('privileges_from') %}
        {%- do replacing.append(node) %}
    {%- endfor %}
{%- endif %}

with

expected as (
    {%- for node in replacing %}
        {%- set relation = adapter.quote(node.schema) ~ '.' ~ adapter.quote(node.alias) %}
    select
        '{{ node.alias }}' as new_relation,
        '{{ node.schema | replace("'", "''") }}' as new_schema,
        to_regclass('{{ relation | replace("'", "''") }}') as new_oid,
        '{{ node.config.meta.privileges_from }}' as legacy_table,
        coalesce(roles.rolname, 'public') as role_name,
        grants.privilege_type
    from (
        {{ legacy_grants_query(
            "to_regclass('" ~ (source('legacy', node.config.meta.privileges_from) | replace("'", "''")) ~ "')",
            'table' if node.config.materialized in ('table', 'incremental') else 'view'
        ) | indent(8) }}
    ) as grants
    left join pg_catalog.pg_roles as roles on grants.grantee_oid = roles.oid
    {{ 'union all' if not loop.last }}
    {%- else %}
        select
            null::text as new_relation,
            null::text as new_schema,
            null::regclass as new_oid,
            null::text as legacy_table,
            null::text as role_name,
            null::text as privilege_type
        where false
    {%- endfor %}
),

checked as (
    select
        expected.*,
        expected.new_oid is not null
        and has_schema_privilege(expected.role_name, expected.new_schema, 'USAGE')
        and has_table_privilege(expected.role_name, expected.new_oid, expected.privilege_type) as held
    from expected
)

select
    checked.role_name || ' on ' || checked.new_relation as subject,
    'fail' as status,
    'lacks ' || checked.privilege_type || ' (it holds it on the legacy table ' || checked.legacy_table || ')'
    || case when checked.new_oid is null then '; the relation is missing' else '' end as detail,
    'grant ' || lower(checked.privilege_type) || ' on ' || quote_ident(checked.new_schema) || '.'
    || quote_ident(checked.new_relation) || ' to '
    || case when checked.role_name = 'public' then 'public' else quote_ident(checked.role_name) end
    || ' (and usage on schema ' || quote_ident(checked.new_schema) || ')' as action
from checked
where not checked.held

union all

select
    'roles of the legacy tables' as subject,
    'ok' as status,
    count(distinct checked.role_name) || ' role(s) hold ' || count(*) filter (where checked.held)
    || ' of their ' || count(*) || ' privileges of the legacy tables on the '
    || count(distinct checked.new_relation) || ' new relations that replace them' as detail,
    null as action
from checked
