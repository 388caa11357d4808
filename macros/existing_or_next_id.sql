{% macro existing_or_next_id(existing_id) -%}
    coalesce({{ existing_id }}, nextval(pg_get_serial_sequence('{{ this }}', 'id')))::integer
{%- endmacro %}
