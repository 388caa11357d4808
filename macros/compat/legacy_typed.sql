{#- The select list of a compat view: every legacy column (legacy_columns) in legacy order,
    each expression of `expressions` (a dict column name -> SQL, NULL where missing) cast to
    the legacy type, under the legacy name. -#}
{% macro legacy_typed(columns, expressions) -%}
    {%- for column in columns %}
    ({{ expressions.get(column.name, 'null') }})::{{ column.data_type }} as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
