{% macro duplicate_price_row_reason() -%}
    duplicate: same curve, run, value_type and flow_date_start as a lower id
{%- endmacro %}
