{% macro cutover_guard() -%}refuse_writes_after_cutover{%- endmacro %}
