{% macro log_migration_complete(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {%- set counted = ['LegacyCurveMapping', 'CurveInstance', 'PriceForecast', 'CurveSchedule'] -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'skipped']) | list -%}
        {%- set missing = [] -%}
        {%- if not failed -%}
            {%- for name in counted if load_relation(model_relation(name)) is none -%}
                {%- do missing.append(name) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if failed -%}
            {{ log('Migration stopped: ' ~ failed | length ~ ' node(s) failed or were skipped, first: '
                ~ failed[0].node.name, info=True) }}
        {%- elif missing -%}
            {{ log('Migration not complete: ' ~ missing | join(', ') ~ ' not built yet (a partial selection?)', info=True) }}
        {%- else -%}
            {%- set subqueries = [] -%}
            {%- for name in counted -%}
                {%- do subqueries.append('(select count(*) from ' ~ model_relation(name) ~ ')') -%}
            {%- endfor -%}
            {%- set counts = run_query('select ' ~ subqueries | join(', ')).rows[0] -%}
            {{ log('Migration complete: ' ~ counts[0] ~ ' curves, ' ~ counts[1] ~ ' instances, '
                ~ counts[2] ~ ' prices, ' ~ counts[3] ~ ' schedules', info=True) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
