{% macro has_schema_usage(grantee_oid, schema_oid) -%}
case
    when {{ grantee_oid }} = 0 then has_schema_privilege('public', {{ schema_oid }}, 'USAGE')
    else has_schema_privilege({{ grantee_oid }}, {{ schema_oid }}, 'USAGE')
end
{%- endmacro %}
