{% macro unknown_placeholder() -%}UNKNOWN{%- endmacro %}
