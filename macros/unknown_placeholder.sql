{#- The documented placeholder written where a NOT NULL target column has no legacy value. -#}
{% macro unknown_placeholder() -%}UNKNOWN{%- endmacro %}
