{% macro legacy_typed(columns, expressions) -%}
    {%- for column in columns %}
    ({{ expressions.get(column.name, 'null') }})::{{ column.data_type }} as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
