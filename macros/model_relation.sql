{% macro model_relation(model_name) -%}
    {%- if not execute or graph.nodes is not defined -%}
        {{ return(api.Relation.create(schema=target.schema, identifier=model_name)) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('no model named ' ~ model_name) }}
{%- endmacro %}
