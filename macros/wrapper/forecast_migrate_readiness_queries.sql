{#- The queries of the readiness report of `forecast-migrate check` (runbook Step 1),
    returned as a dict of name -> SELECT for the CLI to run read-only. They read the legacy
    source tables directly (nothing is built yet) and apply the same macros the models apply,
    so the report says what the build will do:

      table_counts        legacy table, rows
      name_collisions     base name, curve_id, market, mark_type, location, created_at, rank,
                          the curveName the curve will get (rank 1 keeps the base name)
      null_critical       column, curves with NULL, their curve_ids (NULL parts become UNKNOWN)
      unmigratable_prices reason, rows, first ids (rows that go to migration_exceptions)
      price_distribution  market, location, curves, rows, migratable rows, first and last hour -#}
{% macro forecast_migrate_readiness_queries() -%}
    {%- set curves = source('legacy', 'curve_definitions') -%}
    {%- set prices = source('legacy', 'price_forecasts') -%}
    {%- set table_counts = [] -%}
    {%- for table in ['curve_definitions', 'price_forecasts', 'curve_schedule'] -%}
        {%- do table_counts.append(
            "select '" ~ table ~ "' as legacy_table, count(*) as row_count from " ~ source('legacy', table)
        ) -%}
    {%- endfor -%}
    {%- set null_checks = [] -%}
    {%- for column in ['market', 'mark_type', 'location'] -%}
        {%- do null_checks.append(
            "select '" ~ column ~ "' as column_name, count(*) as curve_count,"
            ~ " coalesce(array_agg(curve_id order by curve_id), '{}') as curve_ids from " ~ curves
            ~ ' where ' ~ column ~ ' is null'
        ) -%}
    {%- endfor -%}
    {%- set queries = {
        'table_counts': table_counts | join(' union all '),
        'name_collisions': '
with named as (
    select curve_id, market, mark_type, location, created_at,
        ' ~ curve_base_name('market', 'mark_type', 'location') ~ ' as base_name
    from ' ~ curves ~ '
),
ranked as (
    select named.*,
        count(*) over (partition by base_name) as curves_with_name,
        ' ~ curve_name_rank('base_name', 'created_at', 'curve_id') ~ ' as name_rank
    from named
)
select base_name, curve_id, market, mark_type, location, created_at, name_rank,
    ' ~ suffixed_curve_name('base_name', 'name_rank') ~ ' as curve_name
from ranked
where curves_with_name > 1
order by base_name, name_rank',
        'null_critical': null_checks | join(' union all '),
        'unmigratable_prices': '
with unmigratable as (
' ~ unmigratable_price_rows_query(prices, curves) ~ '
)
select exception_reason, count(*) as row_count, (array_agg(id order by id))[1:5] as first_ids
from unmigratable
group by exception_reason
order by row_count desc, exception_reason',
        'price_distribution': '
with unmigratable as (
' ~ unmigratable_price_rows_query(prices, curves) ~ '
),
classified as (
    select prices.id, prices.curve_id, prices.location, prices.flow_date_start,
        unmigratable.exception_reason
    from ' ~ prices ~ ' as prices
    left join unmigratable
        on prices.id = unmigratable.id
)
select
    coalesce(curves.market, case when classified.curve_id is null then \'(no curve)\' else \'(NULL)\' end) as market,
    coalesce(curves.location, classified.location, \'(NULL)\') as location,
    count(distinct classified.curve_id) as curve_count,
    count(*) as row_count,
    count(*) filter (where classified.exception_reason is null) as migratable_rows,
    min(classified.flow_date_start) as first_hour,
    max(classified.flow_date_start) as last_hour
from classified
left join ' ~ curves ~ ' as curves
    on classified.curve_id = curves.curve_id
group by 1, 2
order by 1, 2',
    } -%}
    {{ return(queries) }}
{%- endmacro %}
