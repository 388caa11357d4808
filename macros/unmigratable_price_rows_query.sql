{% macro unmigratable_price_rows_query(prices, curves) -%}
with

-- not materialized: read twice, each time for few columns, rather than spooled to disk
classified as not materialized (
    {{ classify_price_rows('(select legacy.*, legacy.xmin as row_version from ' ~ prices ~ ' as legacy) as versioned', curves) }}
),

keys as (
    select
        id,
        curve_id,
        flow_date_start,
        forecast_run_date,
        value_type
    from classified
    where exception_reason is null
),

ranked as (
    select
        id,
        curve_id,
        row_number() over (
            partition by flow_date_start, curve_id, forecast_run_date, value_type
            order by id
        ) as duplicate_rank
    from keys
)

select
    id,
    curve_id,
    exception_reason
from classified
where exception_reason is not null

union all

select
    id,
    curve_id,
    '{{ duplicate_price_row_reason() }}' as exception_reason
from ranked
where duplicate_rank > 1
{%- endmacro %}
