{#- First build of a big contracted table (config `bulk_load: true`), ending with the same
    table, columns and constraints that dbt's contract DDL creates, built in the order a
    DBA would load it: one `CREATE TABLE ... AS SELECT` (no constraint checked per row, and
    PostgreSQL may read the source in parallel; this macro, the model's own statement, so
    dbt reports its row count), then, in the post-hook `bulk_load_constraints` (same
    transaction), NOT NULL (one scan), identity and defaults, then the primary key and
    unique indexes, each built by one sort, then the foreign keys, each validated by one
    join, then ANALYZE.

    dbt-postgres instead creates the table with every constraint and inserts into it, so each
    row updates two indexes and fires the foreign key trigger: on 5 million price rows that
    took about 8 times as long (BENCHMARKS.md).

    Config `skip_conflicts_on` (a column list matching one unique constraint): rows whose key
    repeats one with a lower `conflict_order_by` are not kept, like the `append_unique`
    strategy on later runs. The unique index is built optimistically; only if it fails are
    the repeats removed (inside this transaction, before anything is committed) and the index
    built again, so a table without repeats pays nothing for the rule.

    Column constraints it translates: not_null, primary_key, unique, foreign_key, check, and
    custom `generated ... as identity` and `default ...`; anything else is a compiler error. -#}
{% macro bulk_create_table_as(relation, sql) -%}
    {{- get_assert_columns_equivalent(sql) -}}
    {%- set columns = model['columns'].values() | list %}
create table {{ relation }} as
select
{%- for column in columns %}
    model_rows.{{ _bulk_column_name(column) }}::{{ column.data_type }} as {{ _bulk_column_name(column) }}{{ "," if not loop.last }}
{%- endfor %}
from (
    {{ sql }}
) as model_rows
{%- endmacro %}
