{#- SQL window expression: the rank of a curve among the legacy curves that derive the same
    base name, earliest created_at first (NULL last), then lowest curve_id. Rank 1 keeps the
    base name; later ranks are suffixed (suffixed_curve_name). Shared by the naming model
    and the readiness report of `forecast-migrate check`. -#}
{% macro curve_name_rank(base_name, created_at, curve_id) -%}
    row_number() over (
        partition by {{ base_name }}
        order by {{ created_at }} asc nulls last, {{ curve_id }} asc
    )
{%- endmacro %}
