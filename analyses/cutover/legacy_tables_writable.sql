-- `forecast-migrate rollback`, in its transaction: the legacy tables accept writes again (the
-- function of analysis legacy_tables_read_only, and with it its triggers, and its count).

drop function if exists {{ adapter.quote(var('legacy_schema')) }}.{{ cutover_guard() }}() cascade;
drop sequence if exists {{ adapter.quote(var('legacy_schema')) }}.{{ cutover_guard() }}_count
