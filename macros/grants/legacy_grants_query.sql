{% macro legacy_grants_query(legacy_oid, relation_kind='table') -%}
    {%- set app_role = var('app_role') or '' -%}
    {%- set app_privileges = ['SELECT'] if relation_kind == 'view' else ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] -%}
select distinct
    acl.grantee as grantee_oid,
    case when acl.grantee = 0 then 'public' else quote_ident(grantee_role.rolname) end as grantee,
    acl.privilege_type,
    acl.is_grantable
from pg_catalog.pg_class as legacy
cross join lateral pg_catalog.aclexplode(legacy.relacl) as acl
left join pg_catalog.pg_roles as grantee_role
    on acl.grantee = grantee_role.oid
where
    legacy.oid = {{ legacy_oid }}
    and acl.grantee <> legacy.relowner
    {%- if relation_kind == 'view' %}
    and acl.privilege_type = 'SELECT'
    {%- endif %}
{%- if app_role %}
union
select
    app.oid as grantee_oid,
    quote_ident(app.rolname) as grantee,
    app_privilege.privilege_type,
    false as is_grantable
from pg_catalog.pg_roles as app
cross join unnest(array['{{ app_privileges | join("', '") }}']) as app_privilege (privilege_type)
where app.rolname = '{{ app_role | replace("'", "''") }}'
{%- endif %}
{%- endmacro %}
