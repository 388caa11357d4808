{% macro price_row_fingerprint(row) -%}
    int8xor(
        int8xor(
            int8xor(coalesce(hashint4extended({{ row }}.id, 1), 11), coalesce(hashint4extended({{ row }}.curve_id, 2), 12)),
            int8xor(
                coalesce(timestamp_hash_extended({{ row }}.flow_date_start, 3), 13),
                -- a float hash takes -0 for 0: a zero's sign is hashed from its text
                int8xor(
                    coalesce(hashfloat8extended({{ row }}.value, 4), 14),
                    case when {{ row }}.value = 0 then hashtextextended({{ row }}.value::text, 7) else 0 end
                )
            )
        ),
        int8xor(
            coalesce(timestamp_hash_extended({{ row }}.mark_date, 5), 15),
            hashtextextended(
                concat_ws(
                    chr(31),
                    coalesce({{ row }}.granularity::text, chr(30)),
                    coalesce({{ row }}.units, chr(30)),
                    coalesce({{ row }}.location, chr(30)),
                    coalesce({{ row }}.mark_case, chr(30)),
                    coalesce({{ row }}.curve_creator, chr(30)),
                    coalesce({{ row }}.value_type, chr(30))
                ),
                6
            )
        )
    )
{%- endmacro %}
