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
