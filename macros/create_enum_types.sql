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
