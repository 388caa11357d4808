{#- migration_exceptions lists the legacy price rows PriceForecast skipped by looking only at
    the legacy ids counted since its previous version was built. That version says up to
    which id it looked in its table comment, set in the same transaction as its rows, so an
    interrupted build leaves the previous version and its comment as they were. -#}

{#- The legacy price id the given version of migration_exceptions checked through, or none
    when it has no such comment. -#}
{% macro exceptions_checked_through(relation) -%}
    {%- set comment = run_query(
        "select obj_description('" ~ relation ~ "'::regclass, 'pg_class')"
    ).columns[0].values()[0] -%}
    {%- set prefix = _exceptions_comment_prefix() -%}
    {%- if comment and comment.startswith(prefix) and comment[prefix | length:].isdigit() -%}
        {{ return(comment[prefix | length:] | int) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- Post-hook of migration_exceptions: record the highest legacy id counted (which it has
    just checked) in its table comment. -#}
{% macro record_exceptions_checked_through(relation, counted) -%}
do $exceptions$
begin
    execute format(
        'comment on table %s is %L',
        '{{ relation }}',
        '{{ _exceptions_comment_prefix() }}'
        || (select coalesce(max(last_legacy_id), 0) from {{ counted }})
    );
end
$exceptions$
{%- endmacro %}


{#- The text before the id in the comment, written and read by the two macros above. -#}
{% macro _exceptions_comment_prefix() -%}
    {{- return('legacy price ids checked through ') -}}
{%- endmacro %}
