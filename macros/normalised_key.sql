{#- A free-text legacy value as a lookup key into a seed: trimmed and upper-cased. -#}
{% macro normalised_key(column) -%}
    upper(trim({{ column }}))
{%- endmacro %}
