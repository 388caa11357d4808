{#- This dbt invocation's start time (UTC) as a timestamp literal: the createdAt/updatedAt
    of rows the migration writes, identical for every row of one run. -#}
{% macro run_started_at_literal() -%}
    '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'::timestamp
{%- endmacro %}
