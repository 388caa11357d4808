{#- The columns of a legacy table as its source declares them
    (models/staging/legacy/_legacy__sources.yml), in order, each as a dict of `name` and
    `data_type` (the legacy type, modifiers included: `timestamp(6) without time zone`,
    `"Forecasts".granularity`). The compat views return exactly these; the readiness test
    legacy_columns_as_declared proves that the legacy table has them. Empty while parsing. -#}
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
