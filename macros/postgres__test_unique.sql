{#- dbt's `unique` test on PostgreSQL: when the table has a valid unique index on exactly
    that column (a primary key or unique constraint, no predicate), PostgreSQL already
    guarantees the values are unique, so the test selects nothing without reading the
    table; on anything else (a view, a table without that index) it is dbt's own test.
    On 5 million legacy price rows this saves about 4 s per unique test of a keyed id. -#}
{% macro postgres__test_unique(model, column_name) %}
    {%- if execute and unique_index_guarantees(model, column_name) %}
-- {{ column_name }} is unique by a valid unique index of {{ model }}
select
    null as unique_field,
    0 as n_records
where false
    {%- else %}
{{ dbt.default__test_unique(model, column_name) }}
    {%- endif %}
{% endmacro %}


{#- Whether `relation` has a valid, non-partial unique index whose only key is `column_name`
    (quoted or not, as dbt passes it). -#}
{% macro unique_index_guarantees(relation, column_name) -%}
    {%- set name = column_name | trim -%}
    {%- if name.startswith('"') and name.endswith('"') -%}
        {%- set name = name[1:-1] | replace('""', '"') -%}
    {%- else -%}
        {%- set name = name | lower -%}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from pg_catalog.pg_index as indexes"
        ~ " join pg_catalog.pg_attribute as columns"
        ~ " on columns.attrelid = indexes.indrelid and columns.attnum = indexes.indkey[0]"
        ~ " where indexes.indrelid = to_regclass('" ~ (relation | string | replace("'", "''")) ~ "')"
        ~ " and indexes.indisunique and indexes.indisvalid and indexes.indisready"
        ~ " and indexes.indpred is null and indexes.indexprs is null and indexes.indnkeyatts = 1"
        ~ " and columns.attname = '" ~ (name | replace("'", "''")) ~ "'"
    ).columns[0].values()[0] -%}
    {{ return(found > 0) }}
{%- endmacro %}
