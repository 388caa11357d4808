-- sqlfluff:indentation:template_blocks_indent:False
-- `forecast-migrate cleanup --legacy-tables` runs these statements in its own transaction,
-- after legacy_compat_differences found every compat view equal to its legacy table and
-- after dropping the project's views that read the legacy tables. Each legacy table gives
-- way to a view of the same name in the legacy schema, with the legacy columns and rows,
-- read from its compat view (so from the new tables): the old application's reads return
-- what they returned before. The roles that held privileges on the table hold them on the
-- view (legacy_grants_query, read before the table goes), and a trigger makes every write
-- to the view fail with a message that names the new table to write to.
{%- set replaced = [
    ('curve_definitions', 'curve_definitions_compat', 'CurveDefinition'),
    ('price_forecasts', 'price_forecasts_compat', 'PriceForecast'),
    ('curve_schedule', 'curve_schedule_compat', 'CurveSchedule'),
] %}
{%- set legacy_schema = adapter.quote(var('legacy_schema')) %}
{%- set reject_writes = legacy_schema ~ '.reject_write_to_retired_table' %}

{%- set refused = legacy_schema ~ '.' ~ cutover_guard() ~ '_count' %}
-- every refused write counts, as after a cut-over (the same sequence); monitor reads it
create sequence if not exists {{ refused }};
create function {{ reject_writes }}() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $reject$
begin
    perform nextval('{{ refused | replace("'", "''") }}');
    raise exception using
        errcode = 'feature_not_supported',
        message = format(
            '%I.%I is a read-only view since the clean-up of the legacy tables: write to %s',
            tg_table_schema, tg_table_name, tg_argv[0]
        ),
        hint = 'The migration replaced the legacy tables; see the runbook, Step 5.';
end
$reject$;

{% for legacy_table, compat_view, new_table in replaced %}
{%- set retired = legacy_table ~ '_retired' %}
alter table {{ source('legacy', legacy_table) }} rename to {{ adapter.quote(retired) }};

create view {{ source('legacy', legacy_table) }} as
select {{ legacy_column_list(legacy_table) }} from {{ ref(compat_view) }};

comment on view {{ source('legacy', legacy_table) }} is
'The legacy table {{ legacy_table }}, replaced at the clean-up by a read-only view over the new tables ({{ compat_view }}).';

create trigger reject_writes
instead of insert or update or delete on {{ source('legacy', legacy_table) }}
for each row execute function {{ reject_writes }}('{{ ref(new_table).include(database=false) | replace("'", "''") }}');

do $grants$
declare
    granted record;
begin
    for granted in
        {{ legacy_grants_query("to_regclass('" ~ (legacy_schema ~ '.' ~ adapter.quote(retired)) | replace("'", "''") ~ "')", 'table') | indent(8) }}
    loop
        execute format(
            'grant %s on %s to %s%s',
            granted.privilege_type,
            '{{ source('legacy', legacy_table) | replace("'", "''") }}',
            granted.grantee,
            case when granted.is_grantable then ' with grant option' else '' end
        );
    end loop;
end
$grants$;

{% endfor %}
drop table
{%- for legacy_table, compat_view, new_table in replaced %}
{{ legacy_schema }}.{{ adapter.quote(legacy_table ~ '_retired') }}{{ "," if not loop.last else ";" }}
{%- endfor %}

-- the guard of `forecast-migrate cutover`, if any: its triggers went with the tables
drop function if exists {{ legacy_schema }}.{{ cutover_guard() }}();
