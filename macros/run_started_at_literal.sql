{% macro run_started_at_literal() -%}
    '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'::timestamp
{%- endmacro %}
