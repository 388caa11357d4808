{#- The queries of the readiness report of `forecast-migrate check` (runbook Step 1),
    returned as a dict of name -> SELECT for the CLI to run read-only. They read the legacy
    source tables directly (nothing is built yet) and apply the same macros the models apply,
    so the report says what the build will do:

      table_counts        legacy table, rows
      name_collisions     base name, curve_id, market, mark_type, location, created_at, the
                          curveName each curve not named yet will get (assign_curve_names),
                          for the curves that share a base name or do not get theirs
      privileges          role, legacy table, new relation, the privileges it will get there
                          (legacy_grants_query)
      null_critical       column, curves with NULL or blank, their curve_ids (they become UNKNOWN)
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
            ~ " where coalesce(trim(" ~ column ~ "), '') = ''"
        ) -%}
    {%- endfor -%}
    {#- names an earlier build gave are kept; curves already named are not listed -#}
    {%- set definitions = load_relation(model_relation('CurveDefinition')) -%}
    {%- set taken_names = 'select "curveName" from ' ~ definitions if definitions is not none
        else 'select null::text where false' -%}
    {%- set unnamed_curves = curves if definitions is none
        else '(select * from ' ~ curves ~ ' where curve_id not in (select id from ' ~ definitions ~ ')) as unnamed' -%}
    {%- set privilege_queries = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model' and (node.config.meta or {}).get('privileges_from') -%}
        {%- set legacy_table = node.config.meta.privileges_from -%}
        {%- set kind = 'table' if node.config.materialized in ('table', 'incremental') else 'view' -%}
        {%- do privilege_queries.append(
            "select grantee, '" ~ legacy_table ~ "' as legacy_table, '" ~ node.alias
            ~ "' as new_relation, privilege_type, is_grantable from ("
            ~ legacy_grants_query(source('legacy', legacy_table), kind) ~ ') as grants'
        ) -%}
    {%- endfor -%}
    {%- set privileges = 'select grantee, legacy_table, new_relation,'
        ~ " string_agg(privilege_type || case when is_grantable then ' (grantable)' else '' end, ', '"
        ~ ' order by privilege_type) as privileges from ('
        ~ privilege_queries | join(' union all ')
        ~ ') as planned group by grantee, legacy_table, new_relation order by grantee, legacy_table, new_relation' -%}
    {%- set queries = {
        'table_counts': table_counts | join(' union all '),
        'name_collisions': '
with named as (
    select curve_id, market, mark_type, location, created_at,
        ' ~ curve_base_name('market', 'mark_type', 'location') ~ ' as base_name
    from ' ~ unnamed_curves ~ '
),
assigned as (
' ~ assign_curve_names('named', taken_names) ~ '
),
shared as (
    select named.*, count(*) over (partition by base_name) as curves_with_name
    from named
)
select shared.base_name, shared.curve_id, shared.market, shared.mark_type, shared.location,
    shared.created_at, assigned.curve_name
from shared
inner join assigned on shared.curve_id = assigned.curve_id
where shared.curves_with_name > 1 or assigned.name_suffix > 1
order by shared.base_name, assigned.name_suffix, shared.curve_id',
        'privileges': privileges,
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
