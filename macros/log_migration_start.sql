{#- on-run-start of `dbt build` / `dbt run`: the runbook's first summary line, with the
    legacy row counts. Prints nothing when a legacy table is missing (the readiness tests
    then say what is wrong). -#}
{% macro log_migration_start() -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {%- set tables = ['curve_definitions', 'price_forecasts', 'curve_schedule'] -%}
        {%- set counts = {} -%}
        {%- for table in tables -%}
            {%- set relation = source('legacy', table) -%}
            {%- set found = run_query("select to_regclass('" ~ relation ~ "') is not null").columns[0].values()[0] -%}
            {%- if found -%}
                {%- do counts.update({table: run_query('select count(*) from ' ~ relation).columns[0].values()[0]}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if counts | length == tables | length -%}
            {{ log('Starting migration with ' ~ counts['curve_definitions'] ~ ' curves, '
                ~ counts['price_forecasts'] ~ ' price records, '
                ~ counts['curve_schedule'] ~ ' schedules', info=True) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
