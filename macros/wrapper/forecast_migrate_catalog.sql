{#- run-operation for the forecast-migrate CLI (scripts/forecast_migrate/catalog.py). Logs,
    at debug level, one line `forecast_migrate_catalog: <json>` describing what this project
    creates, so the CLI derives rollback's object list from the project instead of a copy:

      target_schema, migration_schema, legacy_schema, expected_curve_count
      legacy_tables     identifiers of the `legacy` source tables
      relations         every model and seed: name, schema, identifier, materialized
      enum_types        the names of var('enum_types')
      application_rows  per target table the application writes to: a SELECT of the rows
                        with no legacy origin (written by the application after the migration)
      pending_legacy_rows  per legacy table: a SELECT of one count, the legacy rows written
                        since the last build and not yet carried over (needs a migrated database)
      readiness         the readiness report's queries (forecast_migrate_readiness_queries)
      granted_schema_usage  a SELECT of the roles the migration granted USAGE on the target
                        schema (model granted_schema_usage), for rollback to revoke

    Nothing is executed; the SQL is composed from the same macros the models use. -#}
{% macro forecast_migrate_catalog() -%}
    {%- set relations = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'seed') and node.config.materialized != 'ephemeral' -%}
        {%- do relations.append({
            'name': node.name,
            'resource_type': node.resource_type,
            'schema': node.schema,
            'identifier': node.alias,
            'materialized': node.config.materialized,
        }) -%}
    {%- endfor -%}
    {%- set legacy_tables = [] -%}
    {%- for source_node in graph.sources.values() if source_node.source_name == 'legacy' -%}
        {%- do legacy_tables.append(source_node.identifier) -%}
    {%- endfor -%}

    {%- set catalog = {
        'target_schema': target.schema,
        'migration_schema': var('migration_schema'),
        'legacy_schema': var('legacy_schema'),
        'expected_curve_count': var('expected_curve_count') | int,
        'legacy_tables': legacy_tables | sort,
        'relations': relations | sort(attribute='name'),
        'enum_types': var('enum_types').keys() | list,
        'application_rows': _forecast_migrate_application_rows(relations),
        'pending_legacy_rows': _forecast_migrate_pending_legacy_rows(),
        'readiness': forecast_migrate_readiness_queries(),
        'granted_schema_usage': 'select grantee from ' ~ model_relation('granted_schema_usage')
            ~ ' where schema_name = ' ~ "'" ~ target.schema | replace("'", "''") ~ "'",
    } -%}
    {%- do log('forecast_migrate_catalog: ' ~ tojson(catalog)) -%}
{%- endmacro %}


{#- Per incremental target table: SELECT of the rows the application wrote. A row has a
    legacy origin when it carries the migration marker (tables with metadata), or its id
    lies below the application's id range (PriceForecast, LegacyCurveMapping) and, for a
    price, its instance is a migrated one. Tables the migration leaves empty hold only
    application rows. -#}
{% macro _forecast_migrate_application_rows(relations) -%}
    {%- set marked = "metadata ->> 'source' = '" ~ migration_marker() ~ "'" -%}
    {%- set legacy_origin = {
        'CurveDefinition': marked,
        'CurveInstance': marked,
        'CurveInputLineage': marked,
        'CurveSchedule': marked,
        'LegacyCurveMapping': below_application_id_range('id', model_relation('LegacyCurveMapping')),
        'PriceForecast': below_application_id_range('id', model_relation('PriceForecast'))
            ~ ' and curve_instance_id in (select id from ' ~ model_relation('CurveInstance')
            ~ ' where ' ~ marked ~ ')',
    } -%}
    {%- set queries = {} -%}
    {%- for relation in relations if relation.materialized == 'incremental' -%}
        {%- set origin = legacy_origin.get(relation.name, 'false') -%}
        {%- do queries.update({
            relation.name: 'select * from ' ~ model_relation(relation.name)
                ~ ' where not coalesce((' ~ origin ~ '), false) order by 1'
        }) -%}
    {%- endfor -%}
    {{ return(queries) }}
{%- endmacro %}


{#- Per legacy table: SELECT count(*) of legacy rows that neither became a row of the new
    tables nor were listed in migration_exceptions by the last build, i.e. rows written
    since then that the next build carries over. For curve_definitions also the migrated
    curves whose legacy row changed since (the next build rewrites them). -#}
{% macro _forecast_migrate_pending_legacy_rows() -%}
    {%- set exceptions_relation = model_relation('migration_exceptions') -%}
    {%- set marked = "metadata ->> 'source' = '" ~ migration_marker() ~ "'" -%}
    {%- set queries = {
        'price_forecasts':
            'select count(*) from ' ~ source('legacy', 'price_forecasts') ~ ' as legacy'
            ~ ' where not exists (select 1 from ' ~ model_relation('PriceForecast')
            ~ ' as migrated where migrated.id = legacy.id)'
            ~ ' and not exists (select 1 from ' ~ exceptions_relation ~ ' as excepted'
            ~ " where excepted.source_table = 'price_forecasts' and excepted.source_id = legacy.id)",
        'curve_definitions':
            'select count(*) from ' ~ source('legacy', 'curve_definitions') ~ ' as legacy'
            ~ ' where not exists (select 1 from ' ~ model_relation('LegacyCurveMapping')
            ~ ' as mapped where mapped."oldCurveId" = legacy.curve_id)'
            ~ ' and not exists (select 1 from ' ~ exceptions_relation ~ ' as excepted'
            ~ " where excepted.source_table = 'curve_definitions' and excepted.source_id = legacy.curve_id)",
        'curve_definitions_changed':
            'select count(*) from ' ~ model_relation('stg_legacy__curve_definitions') ~ ' as legacy'
            ~ ' inner join ' ~ model_relation('CurveDefinition') ~ ' as migrated'
            ~ ' on migrated.id = legacy.curve_id and migrated.' ~ marked
            ~ " where migrated.metadata -> 'legacy' is distinct from to_jsonb(legacy) - 'row_version'",
        'curve_schedule':
            'select count(*) from ' ~ source('legacy', 'curve_schedule') ~ ' as legacy'
            ~ ' where not exists (select 1 from ' ~ model_relation('CurveSchedule')
            ~ " as migrated where migrated." ~ marked
            ~ " and migrated.metadata ->> 'legacyScheduleId' = legacy.schedule_id::text)"
            ~ ' and not exists (select 1 from ' ~ exceptions_relation ~ ' as excepted'
            ~ " where excepted.source_table = 'curve_schedule' and excepted.source_id = legacy.schedule_id)",
    } -%}
    {{ return(queries) }}
{%- endmacro %}
