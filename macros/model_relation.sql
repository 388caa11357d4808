{#- The relation a model of this project builds, looked up in the graph by model name.
    For hooks and operations, where ref() is not available at run time. -#}
{% macro model_relation(model_name) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('no model named ' ~ model_name) }}
{%- endmacro %}
