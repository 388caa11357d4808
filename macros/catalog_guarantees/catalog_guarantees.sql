{#- Catalog lookups of the generic-test overrides: whether PostgreSQL itself guarantees
    what a test would check. Each answers false for anything that is not a plain table
    relation (a `where`-wrapped subquery, a view) or when the constraint is missing,
    partial or invalid. Only NOT NULL and unique indexes are trusted: PostgreSQL enforces
    them on every write. Foreign keys are not (`relationships` keeps reading the rows):
    they are enforced by triggers, which `session_replication_role = replica` or
    `DISABLE TRIGGER ALL` switch off, so a validated key does not prove the rows. -#}

{#- The relation as a regclass literal, or none when the tested model is not a relation. -#}
{% macro _guarantee_regclass(relation) -%}
    {%- if relation is string or relation.identifier is not defined or not relation.identifier -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("to_regclass('" ~ (relation | string | replace("'", "''")) ~ "')") }}
{%- endmacro %}


{#- A column name as the catalog holds it: unquoted names fold to lower case. -#}
{% macro _guarantee_attname(column_name) -%}
    {%- set name = column_name | trim -%}
    {%- if name.startswith('"') and name.endswith('"') -%}
        {{ return("'" ~ (name[1:-1] | replace('""', '"') | replace("'", "''")) ~ "'") }}
    {%- endif -%}
    {{ return("'" ~ (name | lower | replace("'", "''")) ~ "'") }}
{%- endmacro %}


{% macro _guarantee_holds(sql) -%}
    {{ return(run_query(sql).columns[0].values()[0] > 0) }}
{%- endmacro %}


{% macro unique_index_guarantees(relation, column_name) -%}
    {%- set regclass = _guarantee_regclass(relation) -%}
    {%- if regclass is none -%}{{ return(false) }}{%- endif -%}
    {{ return(_guarantee_holds(
        "select count(*) from pg_catalog.pg_index as indexes"
        ~ " join pg_catalog.pg_attribute as columns"
        ~ " on columns.attrelid = indexes.indrelid and columns.attnum = indexes.indkey[0]"
        ~ " where indexes.indrelid = " ~ regclass
        ~ " and indexes.indisunique and indexes.indisvalid and indexes.indisready"
        ~ " and indexes.indpred is null and indexes.indexprs is null and indexes.indnkeyatts = 1"
        ~ " and columns.attname = " ~ _guarantee_attname(column_name)
    )) }}
{%- endmacro %}


{% macro not_null_guaranteed(relation, column_name) -%}
    {%- set regclass = _guarantee_regclass(relation) -%}
    {%- if regclass is none -%}{{ return(false) }}{%- endif -%}
    {{ return(_guarantee_holds(
        "select count(*) from pg_catalog.pg_attribute as columns"
        ~ " join pg_catalog.pg_class as tables on tables.oid = columns.attrelid"
        ~ " where columns.attrelid = " ~ regclass
        ~ " and tables.relkind in ('r', 'p') and columns.attnotnull and not columns.attisdropped"
        ~ " and columns.attname = " ~ _guarantee_attname(column_name)
    )) }}
{%- endmacro %}
