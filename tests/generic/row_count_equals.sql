{#- The relation holds exactly `expected` rows. dbt reports the count found against the
    condition: "Got 70 results, configured to fail if != 72". -#}
{% test row_count_equals(model, expected) %}

{{ config(
    fail_calc = 'coalesce(max(row_count), 0)',
    error_if = '!= ' ~ expected,
    warn_if = '!= ' ~ expected,
) }}

select count(*) as row_count
from {{ model }}

{% endtest %}
