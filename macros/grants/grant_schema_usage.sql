{% macro grant_schema_usage(relation) -%}
do $usage$
declare
    grantee text;
begin
    for grantee in
        select granted.grantee from {{ relation }} as granted
        where granted.granted_at = {{ run_started_at_literal() }}
    loop
        execute format('grant usage on schema %I to %s', '{{ target.schema | replace("'", "''") }}', grantee);
    end loop;
end
$usage$
{%- endmacro %}
