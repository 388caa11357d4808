{#- SQL expression: the id a row already has in the model's table (`existing_id`), else the
    next value of the table's identity sequence. A legacy row keeps its id on every re-run,
    so rows the application wrote that point at it stay attached. -#}
{% macro existing_or_next_id(existing_id) -%}
    coalesce({{ existing_id }}, nextval(pg_get_serial_sequence('{{ this }}', 'id')))::integer
{%- endmacro %}
