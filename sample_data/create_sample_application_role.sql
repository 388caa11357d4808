{#- run-operation for sample and test servers: the old application's database role, as a
    real legacy database has one. Creates login role `role_name` (no superuser, no CREATEDB,
    no CREATEROLE) if it does not exist, and grants it `privileges` on every legacy table,
    USAGE on the legacy schema, and USAGE and SELECT on the legacy schema's sequences when it
    may insert. SAMPLE set-up only: the migration itself never creates a role; it gives the
    roles it finds on the legacy tables the same privileges on the new ones.

        dbt run-operation create_sample_application_role --args '{role_name: forecast_app}'
        dbt run-operation create_sample_application_role --args '{role_name: reports, privileges: [select]}'
-#}
{% macro create_sample_application_role(role_name, privileges=['select', 'insert', 'update', 'delete'], password='app') -%}
    {%- set role = adapter.quote(role_name) -%}
    {%- set schema = adapter.quote(var('legacy_schema')) -%}
    {%- set tables = ['curve_definitions', 'price_forecasts', 'curve_schedule'] -%}
    {% call statement('create_sample_application_role') -%}
do $role$ begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role_name | replace("'", "''") }}') then
        create role {{ role }} login nosuperuser nocreatedb nocreaterole password '{{ password | replace("'", "''") }}';
    end if;
end $role$;
grant usage on schema {{ schema }} to {{ role }};
        {%- for table in tables %}
grant {{ privileges | join(', ') }} on {{ source('legacy', table) }} to {{ role }};
        {%- endfor %}
        {%- if 'insert' in privileges | map('lower') %}
grant usage, select on all sequences in schema {{ schema }} to {{ role }};
        {%- endif %}
    {%- endcall %}
    {{ log('SAMPLE application role ' ~ role_name ~ ': ' ~ privileges | join(', ') ~ ' on the legacy tables', info=True) }}
{%- endmacro %}
