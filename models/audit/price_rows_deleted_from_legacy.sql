-- a table: small (the rows deleted), and read by migration_exceptions and its tests alike

with

gates as (
    select * from {{ ref('price_batches_to_list') }}
),

legacy_prices as (
    select * from {{ ref('stg_legacy__price_forecasts') }}
),

final as (
    -- looked for only when a batch's count says its changed rows were not all new (a
    -- correction or a deletion)
    select
        'price_forecasts' as source_table,
        prices.id as source_id,
        '{{ deleted_price_row_reason() }}' as reason
    from {{ ref('PriceForecast') }} as prices
    where
        (select gates.look_for_deleted from gates)
        and {{ below_application_id_range('prices.id', ref('PriceForecast')) }}
        and not exists (
            select from legacy_prices
            where legacy_prices.id = prices.id
        )
)

select * from final
