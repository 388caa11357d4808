{#- The legacy table's column names (legacy_columns), quoted, in legacy order, comma
    separated: the select list that compares a legacy table with its compat view, or
    replaces the table by a view. `*` while parsing (and for sqlfluff). -#}
{% macro legacy_column_list(table_name) -%}
    {%- set names = [] -%}
    {%- for column in legacy_columns(table_name) -%}
        {%- do names.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return(names | join(', ') if names else '*') }}
{%- endmacro %}
