-- Rows of "PriceForecast" the application wrote: ids in the application's id range, or a
-- price of an instance the application created.

select * from {{ ref('PriceForecast') }} as prices
where
    not (
        {{ below_application_id_range('prices.id', ref('PriceForecast')) }}
        and prices.curve_instance_id in (
            select instances.id from {{ ref('CurveInstance') }} as instances
            where instances.metadata ->> 'source' = '{{ migration_marker() }}'
        )
    )
order by prices.id
