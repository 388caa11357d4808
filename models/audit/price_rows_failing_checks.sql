{{ config(materialized = 'view') }}

with

counted as (
    select * from {{ ref('int_price_rows_counted') }}
),

final as (
    -- one row per id that fails a check; a row migrated before a correction made it fail a check keeps its migrated value
    select
        'price_forecasts' as source_table,
        excepted.source_id,
        counted.exception_reason
        || case
            when
                exists (
                    select 1 from {{ ref('PriceForecast') }} as held
                    where held.id = excepted.source_id and {{ written_by_the_migration('held') }}
                )
                then ': PriceForecast keeps the value migrated before the legacy row changed'
            else ''
        end as reason
    from counted
    cross join lateral unnest(counted.excepted_ids) as excepted (source_id)
    where counted.exception_reason is not null
)

select * from final
