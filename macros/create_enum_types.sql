{#- Creates the enum types of var('enum_types') in the target schema, once, and adds
    any label that is in the project's list but not yet in the type. Idempotent: a
    re-run with no new label changes nothing. Runs outside a transaction (pre-hook
    with transaction: false) so a newly added label can be used by the model after it. -#}
{% macro create_enum_types() -%}
    {%- set schema = adapter.quote(target.schema) -%}
    {%- for type_name, labels in var('enum_types').items() %}
        {%- set qualified = schema ~ '.' ~ adapter.quote(type_name) %}
do $enum$ begin
    if to_regtype('{{ qualified | replace("'", "''") }}') is null then
        create type {{ qualified }} as enum (
            {%- for label in labels %}'{{ label }}'{{ ", " if not loop.last }}{% endfor -%}
        );
    end if;
end $enum$;
        {%- for label in labels %}
alter type {{ qualified }} add value if not exists '{{ label }}';
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}
