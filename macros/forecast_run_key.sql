{% macro forecast_run_key(curve_id, forecast_run_date, value_type_key) -%}
    ({{ curve_id }}::text || '|' || to_char({{ forecast_run_date }}, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || {{ value_type_key }})
{%- endmacro %}
