{% macro legacy_row_fields(columns, json) -%}
    {%- set expressions = {} -%}
    {%- for column in columns -%}
        {%- do expressions.update({column.name: json ~ " ->> '" ~ column.name ~ "'"}) -%}
    {%- endfor -%}
    {{ return(expressions) }}
{%- endmacro %}
