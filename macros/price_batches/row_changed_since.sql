{% macro row_changed_since(row_version, snapshot) -%}
    {%- set statement_age -%}
        (select age((pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text::xid))
    {%- endset -%}
    (
        (age({{ row_version }})::bigint - {{ statement_age }} + 4294967296) % 4294967296
        <= (
            -- a scalar subquery: the snapshot is parsed once, not for every row
            select (
                age((pg_snapshot_xmax(({{ snapshot }})::pg_snapshot)::text::bigint % 4294967296)::text::xid)::bigint
                - {{ statement_age }} + 4294967296
            ) % 4294967296
        )
        or {{ row_version }} = any(array(
            select (in_progress::text::bigint % 4294967296)::text::xid
            from pg_snapshot_xip(({{ snapshot }})::pg_snapshot) as in_progress
        ))
    )
{%- endmacro %}
