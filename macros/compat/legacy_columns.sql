{#- The columns of a legacy table, in order, each as a dict of `name` and `data_type` (the
    type as PostgreSQL spells it, modifiers included: `timestamp(6) without time zone`,
    `"Forecasts".granularity`), read from the catalog when the compat view is built, so the
    view returns exactly the legacy table's types. -#}
{% macro legacy_columns(table_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select attname, format_type(atttypid, atttypmod) from pg_catalog.pg_attribute"
        ~ " where attrelid = to_regclass('" ~ (source('legacy', table_name) | string | replace("'", "''")) ~ "')"
        ~ " and attnum > 0 and not attisdropped order by attnum"
    ) -%}
    {%- set columns = [] -%}
    {%- for row in rows -%}
        {%- do columns.append({'name': row[0], 'data_type': row[1]}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
