-- `forecast-migrate cleanup --legacy-tables` runs this in its own transaction, with the
-- legacy tables locked, just before it replaces them by views: per legacy table, the rows
-- only in the legacy table and the rows only in its compat view (every legacy column,
-- duplicates counted, no row left out for having been written since the last build). The
-- rows the application added to the new tables (ids in its reserved range) are not legacy
-- rows and are left out of the compat side. The clean-up goes on only when every count is 0.
-- One pass over each legacy table and compat view.
{%- set compared = [
    ('curve_definitions', 'curve_id', 'curve_definitions_compat', 'CurveDefinition'),
    ('price_forecasts', 'id', 'price_forecasts_compat', 'PriceForecast'),
    ('curve_schedule', 'schedule_id', 'curve_schedule_compat', 'CurveSchedule'),
] %}

with

{% for legacy_table, key, compat_view, new_table in compared %}
    {{ compat_view_differences(legacy_table, key, compat_view, new_table) | indent(4) }}
{% endfor %}

differences as (
    {%- for legacy_table, key, compat_view, new_table in compared %}
        select
            '{{ legacy_table }}' as legacy_table,
            '{{ compat_view }}' as compat_view,
            (select count(*) from {{ legacy_table }}_only_legacy) as only_in_legacy_table,
            (select count(*) from {{ legacy_table }}_only_compat) as only_in_compat_view
        {{- "\n    union all" if not loop.last }}
    {%- endfor %}
)

select * from differences
