-- sqlfluff:indentation:template_blocks_indent:False
-- `forecast-migrate cutover` runs these statements in its transaction, holding a SHARE lock
-- on the legacy tables, once `dbt build` has carried over their last writes: from its commit
-- every write to a legacy table fails, naming the new table to write to. The tables keep
-- their rows; `forecast-migrate rollback` drops the guard (analysis legacy_tables_writable).
{%- set replaced_by = {
    'curve_definitions': 'CurveDefinition',
    'price_forecasts': 'PriceForecast',
    'curve_schedule': 'CurveSchedule',
} %}
{%- set guard = adapter.quote(var('legacy_schema')) ~ '.' ~ cutover_guard() %}

-- every refused write counts (a sequence: its count survives the writer's rollback); monitor reads it
create sequence if not exists {{ guard }}_count;

create function {{ guard }}() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $refuse$
begin
    perform nextval('{{ guard | replace("'", "''") }}_count');
    raise exception using
        errcode = 'read_only_sql_transaction',
        message = format(
            '%I.%I is read-only since the cut-over to the new tables: write to %s',
            tg_table_schema, tg_table_name, tg_argv[0]
        ),
        hint = 'forecast-migrate cutover carried its last writes over; see the runbook, Step 5.';
end
$refuse$;

{% for legacy_table, new_table in replaced_by.items() %}
create trigger {{ cutover_guard() }}
before insert or update or delete or truncate on {{ source('legacy', legacy_table) }}
for each statement execute function {{ guard }}('{{ ref(new_table).include(database=false) | replace("'", "''") }}');
{% endfor %}
