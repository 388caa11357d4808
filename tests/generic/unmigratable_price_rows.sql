{#- Readiness (warn): legacy price rows that will go to migration_exceptions instead of
    PriceForecast, with the reason, by the same rules the models apply (macro
    unmigratable_price_rows_query). -#}
{% test unmigratable_price_rows(model) %}
    {{ unmigratable_price_rows_query(model, source('legacy', 'curve_definitions')) }}
{% endtest %}
