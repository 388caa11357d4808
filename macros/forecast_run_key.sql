{#- Text key of one legacy forecast run: curve_id|run date to the microsecond|value_type key.
    Stored in CurveInstance.metadata->>'legacyRunKey'; price rows find their instance by it. -#}
{% macro forecast_run_key(curve_id, forecast_run_date, value_type_key) -%}
    ({{ curve_id }}::text || '|' || to_char({{ forecast_run_date }}, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || {{ value_type_key }})
{%- endmacro %}
