{#- SQL condition: the role `grantee_oid` (an aclexplode grantee; 0 is PUBLIC) has USAGE on
    the schema `schema_oid`, through its own grant, PUBLIC or membership. -#}
{% macro has_schema_usage(grantee_oid, schema_oid) -%}
case
    when {{ grantee_oid }} = 0 then has_schema_privilege('public', {{ schema_oid }}, 'USAGE')
    else has_schema_privilege({{ grantee_oid }}, {{ schema_oid }}, 'USAGE')
end
{%- endmacro %}
