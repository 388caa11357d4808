{% macro flagged_price_columns() -%}
    {{ return(['units', 'location', 'mark_case', 'curve_creator', 'granularity']) }}
{%- endmacro %}
