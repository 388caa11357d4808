{#- SQL condition: the row version `row_version` (a legacy row's xmin) was written by a
    transaction that `snapshot` (a pg_snapshot text, 'xmin:xmax:xip,...', as
    price_load_batches records it) did not see: committed after it was taken, or still in
    progress then. So it holds for every legacy row inserted or updated since that batch,
    whatever its id: a transaction that took its id before and committed after, an id the
    application fetched ahead, a hand-inserted id, a corrected value.

    Compared in the 32 bits an xmin has, as distances back from the xmax of the statement's
    own snapshot: a row is new when it is no farther back than the batch's xmax. age() alone
    is not enough: it counts back from a point fixed at its first call in the transaction,
    and a later statement of a READ COMMITTED transaction sees rows committed since, whose
    age is then zero or negative. The difference of two ages is the distance from the
    statement's snapshot whatever that point is. Exact for versions younger than 2^31
    transactions. An older version (frozen long ago, its xmin kept) has an arbitrary
    distance and looks new with the odds of the transactions since the snapshot among 2^32;
    it is then compared with what the migration holds and found unchanged
    (price_load_batches), so it costs a lookup, never a row. Without a snapshot (the first
    batch) nothing is "since": every row counts. -#}
{% macro row_changed_since(row_version, snapshot) -%}
    {%- if snapshot is none -%}
        true
    {%- else -%}
        {%- set parts = snapshot.split(':') -%}
        {%- set in_progress = parts[2].split(',') | reject('equalto', '') | list -%}
        {%- set statement_age -%}
            (select age((pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text::xid))
        {%- endset -%}
        (
            (age({{ row_version }})::bigint - {{ statement_age }} + 4294967296) % 4294967296
            <= (age('{{ parts[1] | int % 4294967296 }}'::xid)::bigint - {{ statement_age }} + 4294967296) % 4294967296
            {%- if in_progress %}
            or {{ row_version }} = any(array[
                {%- for xid in in_progress %}'{{ xid | int % 4294967296 }}'{{ ", " if not loop.last }}{% endfor -%}
            ]::xid [])
            {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}
