{% macro sum_jsonb_counts(left, right) -%}
    (
        select jsonb_object_agg(counts.key, counts.total)
        from (
            select
                each_count.key,
                sum(each_count.value::bigint) as total
            from (
                select * from jsonb_each_text({{ left }})
                union all
                select * from jsonb_each_text({{ right }})
            ) as each_count
            group by each_count.key
        ) as counts
    )
{%- endmacro %}
