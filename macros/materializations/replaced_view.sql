{#- Materialization of the compat views: one CREATE OR REPLACE VIEW, so the privileges a DBA
    granted on the view, and views the application built on top of it, survive every re-run.
    (dbt's own view materialization builds a new view and drops the old one with CASCADE.)
    PostgreSQL replaces a view only when the new definition keeps every column with the same
    name and type, in the same order (new columns may follow them); otherwise the statement
    fails with PostgreSQL's own message and the old view stays as it was. -#}
{% materialization replaced_view, adapter='postgres' %}
    {%- set target_relation = this.incorporate(type='view') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') -%}
create or replace view {{ target_relation }} as (
    {{ sql }}
)
    {%- endcall %}

    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
