-- Every role that holds a privilege on a new relation can reach it: it has USAGE on the
-- target schema, through its own grant (model granted_schema_usage), PUBLIC, or membership.
{%- set new_relations = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and (node.config.meta or {}).get('privileges_from') %}
        {%- do new_relations.append(node.alias) %}
    {%- endfor %}
{%- endif %}

with

granted as (
    select grantee from {{ ref('granted_schema_usage') }}
),

target_schema as (
    select oid from pg_catalog.pg_namespace
    where nspname = '{{ target.schema | replace("'", "''") }}'
),

grantees as (
    select distinct
        relations.relname,
        acl.grantee as grantee_oid
    from pg_catalog.pg_class as relations
    cross join lateral pg_catalog.aclexplode(relations.relacl) as acl
    where
        relations.relnamespace = (select target_schema.oid from target_schema)
        and relations.relname in ('{{ new_relations | join("', '") }}')
        and acl.grantee <> relations.relowner
)

select
    grantees.relname,
    grantees.grantee_oid,
    (select count(*) from granted) as roles_granted_usage
from grantees
cross join target_schema
where not {{ has_schema_usage('grantees.grantee_oid', 'target_schema.oid') }}
