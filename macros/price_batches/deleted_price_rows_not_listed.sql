{% macro deleted_price_rows_not_listed() -%}
select compat.id
from {{ ref('price_forecasts_compat') }} as compat
where
    {{ below_application_id_range('compat.id', ref('PriceForecast')) }}
    and not exists (
        select 1 from {{ ref('stg_legacy__price_forecasts') }} as legacy
        where legacy.id = compat.id
    )
{%- endmacro %}
