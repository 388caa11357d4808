{#- on-run-end of `dbt build` and `dbt test`: one line `readiness: <what is wrong and what to
    do>` per blocker found by a readiness test (a test of a legacy source) that failed, so
    the output says more than dbt's "Got N results". Our readiness tests return a `failure`
    column with that sentence; for dbt's own `unique` and `not_null` the sentence is made
    from the test's column and failure count. A test that could not run at all (a missing
    table) is reported by dbt with the database's message, and by legacy_columns_present. -#}
{% macro log_readiness_failures(results) -%}
    {%- if execute -%}
        {%- for result in results if result.node.resource_type == 'test' and result.status == 'fail' -%}
            {%- set tested = result.node.depends_on.nodes -%}
            {%- if tested and tested[0] in graph.sources and tested | length == 1 -%}
                {%- for line in _readiness_lines(result, graph.sources[tested[0]]) -%}
                    {{ log('readiness: ' ~ line, info=True) }}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The sentences of one failed readiness test on `source_node` (at most 20). -#}
{% macro _readiness_lines(result, source_node) -%}
    {%- set test_name = result.node.test_metadata.name if result.node.test_metadata else none -%}
    {%- set column = source(source_node.source_name, source_node.name).include(database=false)
        ~ '.' ~ result.node.column_name -%}
    {%- if test_name == 'unique' -%}
        {{ return([column ~ ' must be unique (legacy ids become the new ids): '
            ~ result.failures ~ ' value(s) appear more than once']) }}
    {%- elif test_name == 'not_null' -%}
        {{ return([column ~ ' must not be NULL (legacy ids become the new ids): '
            ~ result.failures ~ ' row(s) are NULL']) }}
    {%- endif -%}
    {%- set failing = run_query('select * from (' ~ result.node.compiled_code ~ ') as failing limit 20') -%}
    {%- if 'failure' in failing.column_names -%}
        {{ return(failing.columns['failure'].values() | list) }}
    {%- endif -%}
    {{ return([result.node.name ~ ' failed: ' ~ result.message]) }}
{%- endmacro %}
