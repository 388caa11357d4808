-- Every migrated price row carries its legacy row's id, flow_date_start and value exactly,
-- and sits in an instance of the legacy row's curve.

select
    prices.id,
    'PriceForecast ' || prices.id || ' differs from its legacy row' as failure
from {{ ref('PriceForecast') }} as prices
inner join {{ ref('CurveInstance') }} as instances
    on prices.curve_instance_id = instances.id
left join {{ ref('stg_legacy__price_forecasts') }} as legacy
    on prices.id = legacy.id
where
    instances.metadata ->> 'source' = '{{ migration_marker() }}'
    and (
        legacy.id is null
        or prices.timestamp is distinct from legacy.flow_date_start
        or prices.value is distinct from legacy.value
        or instances.curve_definition_id is distinct from legacy.curve_id
    )
