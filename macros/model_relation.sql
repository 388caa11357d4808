{#- The relation a model of this project builds, looked up in the graph by model name.
    For hooks, operations and macros that must not add a ref() dependency (a model that
    only reads another's catalog entry, not its rows). At parse time, and in a unit test
    (whose graph holds no nodes), a relation of that name in the target schema. -#}
{% macro model_relation(model_name) -%}
    {%- if not execute or graph.nodes is not defined -%}
        {{ return(api.Relation.create(schema=target.schema, identifier=model_name)) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('no model named ' ~ model_name) }}
{%- endmacro %}
