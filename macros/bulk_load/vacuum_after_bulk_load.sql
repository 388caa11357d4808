{#- Post-hook (transaction: false) of a bulk_load model: VACUUM the table when none of its
    pages is marked all-visible yet, i.e. right after the bulk first build. That sets the
    visibility map (so the data tests' primary key checks read the index only) and the hint
    bits once, as a DBA would after a load, instead of in the first queries. Later runs
    append a few pages and leave them to autovacuum; no VACUUM then, so a re-run with no
    legacy change touches nothing. -#}
{% macro vacuum_after_bulk_load() -%}
    {%- if execute -%}
        {%- set fresh = run_query(
            "select relallvisible = 0 and relpages > 0 from pg_catalog.pg_class where oid = to_regclass('"
            ~ (this | replace("'", "''")) ~ "')"
        ).columns[0].values() -%}
        {%- if fresh and fresh[0] -%}
            vacuum {{ this }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
