{#- SQL expression: a 64-bit hash of one price row's id, curve, timestamp and value, from
    PostgreSQL's own hash functions on the native types (no text conversion), combined by
    XOR (int8xor, the function behind the # operator). Summed per curve it compares two
    sets of rows in one aggregate pass each. -#}
{% macro price_row_fingerprint(id, curve_id, flow_date_start, value) -%}
    int8xor(
        int8xor(hashint4extended({{ id }}, 1), hashint4extended({{ curve_id }}, 2)),
        int8xor(timestamp_hash_extended({{ flow_date_start }}, 3), hashfloat8extended({{ value }}, 4))
    )
{%- endmacro %}
