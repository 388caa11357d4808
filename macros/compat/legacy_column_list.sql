{% macro legacy_column_list(table_name) -%}
    {%- set names = [] -%}
    {%- for column in legacy_columns(table_name) -%}
        {%- do names.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return(names | join(', ') if names else '*') }}
{%- endmacro %}
