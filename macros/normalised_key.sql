{% macro normalised_key(column) -%}
    upper(trim({{ column }}))
{%- endmacro %}
