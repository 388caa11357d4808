{#- The legacy price columns that PriceForecast has no column for and keeps per row only
    where the row differs from its instance's baseline (CurveInstance.metadata
    .legacyBaseline: the run's units and its curve's copies when the instance was made),
    plus mark_date when the row has none (its run date is then its curve's). Written by
    PriceForecast as `flags`, read back by price_forecasts_compat. -#}
{% macro flagged_price_columns() -%}
    {{ return(['units', 'location', 'mark_case', 'curve_creator', 'granularity']) }}
{%- endmacro %}
