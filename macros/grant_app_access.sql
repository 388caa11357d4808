{#- Grants the application's role (var app_role) what it needs on one relation:
    read on views, read/write on tables and use of their identity sequences.
    Additive only: unlike dbt's grants config it never revokes what a DBA granted
    to other roles. -#}
{% macro grant_app_access(relation) -%}
    {%- set role = var('app_role') -%}
    {%- if role -%}
        {%- if config.get('materialized') == 'view' %}
grant select on {{ relation }} to {{ adapter.quote(role) }};
        {%- else -%}
grant select, insert, update, delete on {{ relation }} to {{ adapter.quote(role) }};
do $grant$
declare sequence_name text;
begin
    for sequence_name in
        select pg_get_serial_sequence('{{ relation | replace("'", "''") }}', attname)
        from pg_attribute
        where attrelid = '{{ relation | replace("'", "''") }}'::regclass
            and attidentity <> ''
    loop
        execute format('grant usage, select on sequence %s to %I', sequence_name, '{{ role }}');
    end loop;
end $grant$;
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
