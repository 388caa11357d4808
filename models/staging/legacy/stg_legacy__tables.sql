-- sqlfluff:indentation:template_blocks_indent:False
-- The three legacy tables themselves, one row each: what the catalog says of them when this
-- view is read. The one staging model of all three sources, and the readiness gate: it
-- depends on every legacy table, so `dbt build` runs every readiness test of every legacy
-- table before it, and every staging view depends on it, so a failed readiness test stops
-- the build before anything is written. The post-hooks read the legacy tables' privileges
-- and id sequences here, so no model outside staging reads a source.
{%- set id_columns = {
    'curve_definitions': 'curve_id',
    'price_forecasts': 'id',
    'curve_schedule': 'schedule_id',
} %}

with

{% for legacy_table, id_column in id_columns.items() %}
{%- set relation = source('legacy', legacy_table) %}
{%- set literal = "'" ~ (relation.include(database=false) | string | replace("'", "''")) ~ "'" %}
{{ legacy_table }} as (
    select
        '{{ legacy_table }}'::text as legacy_table,
        {{ literal }}::regclass::oid as table_oid,
        '{{ id_column }}'::text as id_column,
        pg_get_serial_sequence({{ literal }}, '{{ id_column }}') as id_sequence,
        (select max(legacy_rows.{{ id_column }}) from {{ relation }} as legacy_rows)::bigint as max_id
),

{% endfor -%}
final as (
    {%- for legacy_table in id_columns %}
    select * from {{ legacy_table }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select * from final
