{% macro price_row_flagged_value(flags, column, baseline_value) -%}
    case
        when {{ flags }} is null then {{ baseline_value }}
        when 'legacy_{{ column }} is null' = any({{ flags }}) then null
        else coalesce(
            (
                select substr(flag, {{ ('legacy_' ~ column ~ ':') | length + 1 }})
                from unnest({{ flags }}) as flag
                where left(flag, {{ ('legacy_' ~ column ~ ':') | length }}) = 'legacy_{{ column }}:'
            ),
            {{ baseline_value }}
        )
    end
{%- endmacro %}
