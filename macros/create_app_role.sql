{#- run-operation for sample and test servers: creates the application role
    (var app_role) as a login role without superuser rights, if it does not exist. -#}
{% macro create_app_role(password='app') -%}
    {%- set role = var('app_role') -%}
    {% call statement('create_app_role') -%}
do $role$ begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role }}') then
        create role {{ adapter.quote(role) }} login nosuperuser nocreatedb nocreaterole password '{{ password }}';
    end if;
end $role$
    {%- endcall %}
    {{ log('role ' ~ role ~ ' is present', info=True) }}
{%- endmacro %}
