-- Backward compatible: curve_definitions_compat and curve_schedule_compat return exactly the
-- legacy rows (every legacy column, the same values, duplicates counted): the legacy table
-- EXCEPT ALL the view is empty, and so is the view's legacy ids EXCEPT ALL the legacy table.
-- Rows the old application wrote after this build's batch read the legacy tables are left
-- out. (price_forecasts_compat: assert_price_rows_match_legacy.)
{%- set snapshot -%}
    (select batches.snapshot from {{ ref('price_load_batches') }} as batches order by batches.batch_id desc limit 1)
{%- endset %}
{%- set checked = [
    ('curve_definitions', 'curve_id', 'curve_definitions_compat', 'CurveDefinition'),
    ('curve_schedule', 'schedule_id', 'curve_schedule_compat', 'CurveSchedule'),
] %}

with

{% for legacy_table, key, compat_view, new_table in checked %}
    {{ compat_view_differences(
        legacy_table, key, compat_view, new_table,
        legacy_relation=ref('stg_legacy__' ~ legacy_table),
        left_out='coalesce(' ~ row_changed_since('legacy_rows.row_version', snapshot) ~ ', false)',
    ) | indent(4) }}

    {{ legacy_table }}_differences as (
        select
            '{{ legacy_table }}' as legacy_table,
            {{ key }} as legacy_id,
            'only in the legacy table' as side
        from {{ legacy_table }}_only_legacy
        union all
        select
            '{{ legacy_table }}' as legacy_table,
            {{ key }} as legacy_id,
            'only in {{ compat_view }}' as side
        from {{ legacy_table }}_only_compat
    ),
{% endfor %}

differences as (
    select * from curve_definitions_differences
    union all
    select * from curve_schedule_differences
)

select
    legacy_table,
    legacy_id,
    legacy_table || ' row ' || legacy_id || ' differs: ' || side as failure
from differences
