{#- Readiness (warn): legacy price rows that will go to migration_exceptions instead of
    PriceForecast, with the reason, by the same rule the models apply. -#}
{% test unmigratable_price_rows(model) %}

with

classified as (
    {{ classify_price_rows(model, source('legacy', 'curve_definitions')) }}
)

select
    id,
    curve_id,
    exception_reason
from classified
where exception_reason is not null

{% endtest %}
