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
