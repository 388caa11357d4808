{% macro legacy_columns(table_name) -%}
    {%- set columns = [] -%}
    {%- if not execute -%}
        {{ return(columns) }}
    {%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == 'legacy' and node.name == table_name -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append({'name': column.name, 'data_type': column.data_type}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
