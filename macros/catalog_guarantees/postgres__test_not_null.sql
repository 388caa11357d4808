{#- dbt's `not_null` test on PostgreSQL: when the column of the table is NOT NULL in the
    catalog, PostgreSQL already guarantees it, so the test reads no row; otherwise (a view,
    a nullable column, a `where` config) it is dbt's own test. -#}
{% macro postgres__test_not_null(model, column_name) %}
    {%- if execute and not_null_guaranteed(model, column_name) %}
-- {{ column_name }} is declared NOT NULL on {{ model }}
select {{ column_name }}
from {{ model }}
where false
    {%- else %}
{{ dbt.default__test_not_null(model, column_name) }}
    {%- endif %}
{% endmacro %}
