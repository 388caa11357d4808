{% macro grant_legacy_privileges(relation) -%}
    {%- set legacy_table = (config.get('meta') or {}).get('privileges_from') -%}
    {#- called at parse time too, so the lineage shows each model reading stg_legacy__tables -#}
    {%- set legacy_oid = legacy_table_oid(legacy_table) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- elif legacy_table not in ('curve_definitions', 'price_forecasts', 'curve_schedule') -%}
        {{ exceptions.raise_compiler_error(
            "grant_legacy_privileges: model " ~ relation ~ " has config meta.privileges_from "
            ~ (legacy_table or 'unset') ~ ": it must name the legacy table whose privileges it"
            ~ " takes (curve_definitions, price_forecasts or curve_schedule)"
        ) }}
    {%- endif -%}
    {%- set relation_kind = 'table' if config.get('materialized') in ('table', 'incremental') else 'view' -%}
    {%- set target_literal = relation | string | replace("'", "''") %}
do $grants$
declare
    granted record;
    identity_sequence text;
begin
    for granted in
        {{ legacy_grants_query(legacy_oid, relation_kind) | indent(8) }}
    loop
        execute format(
            'grant %s on %s to %s%s',
            granted.privilege_type,
            '{{ target_literal }}',
            granted.grantee,
            case when granted.is_grantable then ' with grant option' else '' end
        );
        continue when granted.privilege_type <> 'INSERT';
        for identity_sequence in
            select pg_get_serial_sequence('{{ target_literal }}', columns.attname)
            from pg_catalog.pg_attribute as columns
            where
                columns.attrelid = '{{ target_literal }}'::regclass
                and columns.attidentity <> ''
                and not columns.attisdropped
        loop
            execute format('grant usage on sequence %s to %s', identity_sequence, granted.grantee);
        end loop;
    end loop;
end
$grants$
{%- endmacro %}
