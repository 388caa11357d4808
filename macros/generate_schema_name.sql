{#- Schema names are used verbatim, never prefixed with the target schema: the DBA names
    the schemas. Models configured with schema `migration` (staging, intermediate, audit,
    seeds) go to var('migration_schema'); everything else to the target schema (public). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'migration' -%}
        {{ var('migration_schema') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
