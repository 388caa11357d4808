{#- Lets the application's role (var app_role) reach the target schema. Run once per build
    (CurveDefinition's post-hook): concurrent grants on one schema collide. -#}
{% macro grant_app_schema_usage() -%}
    {%- if var('app_role') -%}
grant usage on schema {{ adapter.quote(target.schema) }} to {{ adapter.quote(var('app_role')) }}
    {%- endif -%}
{%- endmacro %}
