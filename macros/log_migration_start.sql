{% macro log_migration_start(ledger) -%}
    {%- if execute -%}
        {%- set counts = run_query(
            'select (select count(*) from ' ~ ref('stg_legacy__curve_definitions') ~ '),'
            ~ ' (select legacy_price_rows from ' ~ ledger ~ ' order by batch_id desc limit 1),'
            ~ ' (select count(*) from ' ~ ref('stg_legacy__curve_schedule') ~ ')'
        ).rows[0] -%}
        {{ log('Starting migration with ' ~ counts[0] ~ ' curves, ' ~ counts[1] ~ ' price records, '
            ~ counts[2] ~ ' schedules', info=True) }}
    {%- endif -%}
    select 1
{%- endmacro %}
