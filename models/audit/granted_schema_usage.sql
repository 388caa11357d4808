-- The roles this migration granted USAGE on the target schema: each role that gets a
-- privilege on a new relation (macro legacy_grants_query) and could not reach the target
-- schema before. One row per grant, written in the transaction that makes it (post-hook
-- grant_schema_usage); append-only, so it keeps what the first build found.
-- `forecast-migrate rollback` revokes exactly these grants.
{{ config(
    materialized = 'incremental',
    incremental_strategy = 'append',
    full_refresh = false,
    post_hook = ["{{ grant_schema_usage(this) }}"],
) }}

{%- set legacy_grants = [] %}
{%- for legacy_table in ['curve_definitions', 'price_forecasts', 'curve_schedule'] %}
    {%- do legacy_grants.append(legacy_grants_query(legacy_table_oid(legacy_table))) %}
{%- endfor %}

with

grantees as (
    select
        grantee_oid,
        grantee
    from (
        {{ legacy_grants | join('\nunion\n') | indent(8) }}
    ) as legacy_grants
),

target_schema as (
    select oid from pg_catalog.pg_namespace
    where nspname = '{{ target.schema | replace("'", "''") }}'
),

lacking_usage as (
    select distinct grantees.grantee
    from grantees
    cross join target_schema
    where not {{ has_schema_usage('grantees.grantee_oid', 'target_schema.oid') | indent(4) }}
),

final as (
    select
        grantee,
        '{{ target.schema | replace("'", "''") }}'::text as schema_name,
        {{ run_started_at_literal() }} as granted_at
    from lacking_usage
)

select * from final
