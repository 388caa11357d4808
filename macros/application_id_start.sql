{#- SQL expression: the first id of the application's range in a target table (the start
    its identity sequence was given by reserve_application_ids), or NULL while the table
    does not exist or no range is reserved yet. Reads the catalog, so it is safe to
    compile before the table exists. NULL too where `relation` is not a relation (a unit
    test's fixture for `this`). -#}
{% macro application_id_start(relation) -%}
    {%- if relation is none or relation.include is not defined -%}
    (null::bigint)
    {%- else -%}
    (
        select nullif(seq.seqstart, 1)
        from pg_catalog.pg_sequence as seq
        inner join pg_catalog.pg_depend as dep
            on seq.seqrelid = dep.objid and dep.deptype = 'i'
        where dep.refobjid = to_regclass('{{ relation.include(database=false) | replace("'", "''") }}')
    )
    {%- endif -%}
{%- endmacro %}
