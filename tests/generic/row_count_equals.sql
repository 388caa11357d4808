{#- Readiness: the relation holds exactly `expected` rows. A failing row says both numbers
    and the setting that holds the expectation, e.g. "expected 70 curve_definitions, found
    72 (var expected_curve_count)". -#}
{% test row_count_equals(model, expected, setting) %}

with

counted as (
    select count(*) as row_count
    from {{ model }}
)

select
    row_count,
    'expected {{ expected | int }} {{ model.identifier }}, found ' || row_count
    || ' ({{ setting }})' as failure
from counted
where row_count <> {{ expected | int }}

{% endtest %}
