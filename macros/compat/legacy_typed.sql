{#- The select list of a compat view: every legacy column (legacy_columns) in legacy order,
    each expression of `expressions` (a dict column name -> SQL, NULL where missing) cast to
    the legacy type, under the legacy name. -#}
{% macro legacy_typed(columns, expressions) -%}
    {%- for column in columns %}
    ({{ expressions.get(column.name, 'null') }})::{{ column.data_type }} as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- Expressions (a dict column name -> SQL) that read a legacy row kept as JSON (to_jsonb of
    the legacy row: migration_exceptions.legacy_row, CurveDefinition.metadata.legacy) back
    as text, for legacy_typed to cast. -#}
{% macro legacy_row_fields(columns, json) -%}
    {%- set expressions = {} -%}
    {%- for column in columns -%}
        {%- do expressions.update({column.name: json ~ " ->> '" ~ column.name ~ "'"}) -%}
    {%- endfor -%}
    {{ return(expressions) }}
{%- endmacro %}
