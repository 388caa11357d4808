{% macro below_application_id_range(id_column, relation) -%}
    {%- if relation is none or relation.include is not defined -%}
    true
    {%- else -%}
    coalesce({{ id_column }} < (
        select nullif(seq.seqstart, 1)
        from pg_catalog.pg_sequence as seq
        inner join pg_catalog.pg_depend as dep
            on seq.seqrelid = dep.objid and dep.deptype = 'i'
        where dep.refobjid = to_regclass('{{ relation.include(database=false) | replace("'", "''") }}')
    ), true)
    {%- endif -%}
{%- endmacro %}
