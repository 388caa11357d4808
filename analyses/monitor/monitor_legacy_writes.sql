-- `forecast-migrate monitor`, check legacy_writes: whether the old application still writes
-- the legacy tables. Per legacy table, the rows written to it since the last build (inserted,
-- updated or deleted, committed or not: PostgreSQL's counters against
-- database_activity_baseline), none of which the new tables hold yet (warn: the cut-over
-- carries them over), or that it refuses writes since the cut-over (its trigger, macro
-- cutover_guard) or is a read-only view since the clean-up; and the writes refused since (the
-- guard's count; warn: something still writes to the old tables). Reads no legacy row.
{%- set legacy_tables = ['curve_definitions', 'price_forecasts', 'curve_schedule'] %}

with

legacy as (
    {%- for legacy_table in legacy_tables %}
        select
            '{{ legacy_table }}' as legacy_table,
            to_regclass('{{ source("legacy", legacy_table) | replace("'", "''") }}') as legacy_oid
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

counted as (
    select
        legacy.legacy_table,
        relations.relkind,
        exists(
            select 1 from pg_catalog.pg_trigger as guards
            where guards.tgrelid = legacy.legacy_oid and guards.tgname = '{{ cutover_guard() }}'
        ) as read_only,
        tables.n_tup_ins - case when tables.n_tup_ins >= baseline.rows_inserted then baseline.rows_inserted else 0 end as inserted,
        tables.n_tup_upd - case when tables.n_tup_upd >= baseline.rows_updated then baseline.rows_updated else 0 end as updated,
        tables.n_tup_del - case when tables.n_tup_del >= baseline.rows_deleted then baseline.rows_deleted else 0 end as deleted
    from legacy
    left join pg_catalog.pg_class as relations on legacy.legacy_oid = relations.oid
    left join pg_catalog.pg_stat_user_tables as tables on legacy.legacy_oid = tables.relid
    left join {{ ref('database_activity_baseline') }} as baseline
        on tables.schemaname = baseline.schema_name and tables.relname = baseline.table_name
)

select
    legacy_table as subject,
    case when inserted + updated + deleted > 0 and not read_only then 'warn' else 'ok' end as status,
    case
        when relkind is null then 'gone'
        when relkind = 'v' then 'a read-only view since the clean-up'
        when read_only then 'refuses writes since the cut-over'
        else concat_ws(
            '; ',
            'accepts writes',
            coalesce(
                inserted || ' rows inserted, ' || updated || ' updated, ' || deleted || ' deleted since the build',
                'no counts since the build'
            )
        )
    end as detail,
    case
        when inserted + updated + deleted > 0 and not read_only
            then 'forecast-migrate cutover carries them over and makes the legacy tables read-only'
    end as action
from counted

union all

select
    'refused writes' as subject,
    case when refused.last_value > 0 then 'warn' else 'ok' end as status,
    coalesce(refused.last_value, 0) || ' writes refused since the cut-over or clean-up' as detail,
    case
        when refused.last_value > 0
            then 'find the client still writing to the legacy tables (the server log names it) and point it at the new tables'
    end as action
from pg_catalog.pg_sequences as refused
where
    refused.schemaname = '{{ var("legacy_schema") | replace("'", "''") }}'
    and refused.sequencename = '{{ cutover_guard() }}_count'
