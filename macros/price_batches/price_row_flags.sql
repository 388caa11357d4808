{#- The legacy price columns that PriceForecast has no column for and keeps per row only
    where the row differs from its instance's baseline (CurveInstance.metadata
    .legacyBaseline: the run's units and its curve's copies when the instance was made),
    plus mark_date when the row has none (its run date is then its curve's). Written by
    PriceForecast as `flags`, read back by price_forecasts_compat. -#}
{% macro flagged_price_columns() -%}
    {{ return(['units', 'location', 'mark_case', 'curve_creator', 'granularity']) }}
{%- endmacro %}


{#- SQL expression: the flags of a price row, `legacy_<column>:<value>` or
    `legacy_<column> is null` for each flagged column that differs from the baseline, and
    `legacy_mark_date is null`; NULL when there is none (most rows). `row` and `baseline`
    are SQL prefixes: `row.units` is the legacy value, `baseline.units` the instance's. -#}
{% macro price_row_flags(row, baseline) -%}
    {%- set differs = [] -%}
    {%- for column in flagged_price_columns() -%}
        {%- do differs.append(row ~ '.' ~ column ~ ' is distinct from ' ~ baseline ~ '.' ~ column) -%}
    {%- endfor -%}
    case
        when {{ differs | join(' or ') }} or {{ row }}.mark_date is null
            then array_remove(array[
                {%- for column in flagged_price_columns() %}
                case
                    when {{ differs[loop.index0] }}
                        then 'legacy_{{ column }}' || coalesce(':' || {{ row }}.{{ column }}, ' is null')
                end,
                {%- endfor %}
                case when {{ row }}.mark_date is null then 'legacy_mark_date is null' end
            ], null)
    end
{%- endmacro %}


{#- SQL expression: a flagged column of a migrated price row as the legacy row had it: the
    flag's value when the row has one, else the baseline's. -#}
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
