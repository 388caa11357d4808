{#- SQL condition: the row version `row_version` (a legacy row's xmin) was written by a
    transaction that `snapshot` (a pg_snapshot text, 'xmin:xmax:xip,...', as
    price_load_batches records it) did not see: committed after it was taken, or still in
    progress then. So it holds for every legacy row inserted or updated since that batch,
    whatever its id: a transaction that took its id before and committed after, an id the
    application fetched ahead, a hand-inserted id, a corrected value.

    Compared through age(), the distance from the current transaction, in the 32 bits an
    xmin has: exact for versions younger than 2^31 transactions. An older version (frozen
    long ago, its xmin kept) has an arbitrary age and looks new with the odds of the
    transactions since the snapshot among 2^32; it is then compared with what the
    migration holds and found unchanged (price_load_batches), so it costs a lookup, never a
    row. Without a snapshot (the first batch) nothing is "since": every row counts. -#}
{% macro row_changed_since(row_version, snapshot) -%}
    {%- if snapshot is none -%}
        true
    {%- else -%}
        {%- set parts = snapshot.split(':') -%}
        {%- set in_progress = parts[2].split(',') | reject('equalto', '') | list -%}
        (
            age({{ row_version }}) between 0 and age('{{ parts[1] | int % 4294967296 }}'::xid)
            {%- if in_progress %}
            or {{ row_version }} = any(array[
                {%- for xid in in_progress %}'{{ xid | int % 4294967296 }}'{{ ", " if not loop.last }}{% endfor -%}
            ]::xid [])
            {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}
