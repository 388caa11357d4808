{#- Materialization of the readiness gate: runs the model's query and writes nothing, so
    dbt build runs the gate's tests before any node that depends on it, and skips all of
    them when one fails, with no table or view created first. -#}
{% materialization gate, adapter='postgres' %}
    {% call statement('main', fetch_result=True) -%}
{{ sql }}
    {%- endcall %}
    {{ return({'relations': []}) }}
{% endmaterialization %}
