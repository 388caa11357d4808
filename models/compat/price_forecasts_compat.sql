-- The legacy price_forecasts, read from the new tables: the legacy columns, in order, with
-- the legacy types and values, dirty rows included. A migrated row is rebuilt from its
-- PriceForecast row, its instance (curve, run date, value_type and the baseline of its
-- denormalised copies) and its flags (the copies that differ, and a NULL mark_date); a row
-- migration_exceptions keeps (not migrated, or the legacy row differs from what PriceForecast
-- holds) returns that legacy row; a row deleted from the legacy table is not returned; a row
-- the application added maps its columns onto the legacy ones.
--
-- The CTEs are not materialized: each branch reads the tables itself, so a query that asks
-- for a few ids (price_load_batches) reads them by primary key instead of the whole table.
{%- set columns = legacy_columns('price_forecasts') %}
{%- set migrated_columns = {
    'id': 'prices.id',
    'curve_id': 'instances.curve_definition_id',
    'flow_date_start': 'prices.timestamp',
    'value': 'prices.value',
    'value_type': 'instances.legacy_value_type',
    'mark_date': "case when 'legacy_mark_date is null' = any(prices.flags) then null else instances.\"forecastRunDate\" end",
} %}
{%- for column in flagged_price_columns() %}
    {%- do migrated_columns.update({
        column: price_row_flagged_value('prices.flags', column, 'instances.baseline_' ~ column)
    }) %}
{%- endfor %}
{%- set application_columns = {
    'id': 'prices.id',
    'curve_id': 'instances.curve_definition_id',
    'flow_date_start': 'prices.timestamp',
    'value': 'prices.value',
    'units': 'definitions.units',
    'location': 'definitions.location',
    'mark_date': 'instances."forecastRunDate"',
} %}

with

prices as not materialized (
    select * from {{ ref('PriceForecast') }}
),

instances as not materialized (
    -- each instance's legacy baseline, read from its metadata once per instance, not once per
    -- price row: offset 0 keeps the planner from moving these expressions into the join
    select
        instances.*,
        {%- for column in flagged_price_columns() %}
            instances.metadata -> 'legacyBaseline' ->> '{{ column }}' as baseline_{{ column }},
        {%- endfor %}
        instances.metadata ->> 'legacyValueType' as legacy_value_type,
        instances.metadata ->> 'source' as source
    from {{ ref('CurveInstance') }} as instances
    offset 0  -- noqa: AM09
),

definitions as not materialized (
    select * from {{ ref('CurveDefinition') }}
),

listed as not materialized (
    select * from {{ ref('migration_exceptions') }}
    where source_table = 'price_forecasts'
),

migrated as (
    select
    {{- legacy_typed(columns, migrated_columns) | indent(4) }}
    from prices
    inner join instances
        on prices.curve_instance_id = instances.id
    where
        instances.source = '{{ migration_marker() }}'
        and prices.id not in (select listed.source_id from listed)
),

added_by_the_application as (
    select
    {{- legacy_typed(columns, application_columns) | indent(4) }}
    from prices
    inner join instances
        on prices.curve_instance_id = instances.id
    -- read by application_columns (the linter renders no column)
    left join definitions  -- noqa: ST11
        on instances.curve_definition_id = definitions.id
    where
        instances.source is distinct from '{{ migration_marker() }}'
        and prices.id not in (select listed.source_id from listed)
),

kept_in_exceptions as (
    {{ legacy_rows_kept_in_exceptions(columns, 'id') | indent(4) }}
),

final as (
    select * from migrated
    union all
    select * from added_by_the_application
    union all
    select * from kept_in_exceptions
)

select * from final
