{% macro row_changed_since(row_version, snapshot) -%}
    (
        -- at or after the snapshot's xmax, compared as PostgreSQL compares xids (32 bits, modulo
        -- 2^32; the frozen and bootstrap xids 0-2 precede every other); plain arithmetic, so a
        -- parallel scan's workers evaluate it (age() is parallel restricted)
        (
            {{ row_version }}::text::bigint >= 3
            and (
                {{ row_version }}::text::bigint + 4294967296 - (
                    -- a scalar subquery: the snapshot is parsed once, not for every row
                    select pg_snapshot_xmax(({{ snapshot }})::pg_snapshot)::text::bigint % 4294967296
                )
            ) % 4294967296 < 2147483648
        )
        or {{ row_version }} = any(array(
            select (in_progress::text::bigint % 4294967296)::text::xid
            from pg_snapshot_xip(({{ snapshot }})::pg_snapshot) as in_progress
        ))
    )
{%- endmacro %}
