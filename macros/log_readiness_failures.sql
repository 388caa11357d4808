{#- on-run-end of `dbt build` and `dbt test`: one line `readiness: <what is wrong and what to
    do>` per blocker found by a readiness test (a test of a legacy source) that failed, so
    the output says more than dbt's "Got N results". Each readiness test returns a `failure`
    column with that sentence; its first 20 rows are printed (the test's compiled query is
    run again). A test that could not run at all (a missing table) is reported by dbt with
    the database's message, and by legacy_columns_as_declared. -#}
{% macro log_readiness_failures(results) -%}
    {%- if execute -%}
        {%- for result in results if result.node.resource_type == 'test' and result.status == 'fail' -%}
            {%- set tested = result.node.depends_on.nodes -%}
            {%- if tested | length == 1 and tested[0] in graph.sources -%}
                {%- set failing = run_query('select * from (' ~ result.node.compiled_code ~ ') as failing limit 20') -%}
                {%- if 'failure' in failing.column_names -%}
                    {%- for line in failing.columns['failure'].values() -%}
                        {{ log('readiness: ' ~ line, info=True) }}
                    {%- endfor -%}
                {%- else -%}
                    {{ log('readiness: ' ~ result.node.name ~ ' failed: ' ~ result.message, info=True) }}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
