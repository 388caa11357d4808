{% macro deleted_price_rows_not_listed() -%}
select compat.id
from {{ ref('price_forecasts_compat') }} as compat
inner join {{ ref('price_chunks_to_compare') }} as chunks on compat.id between chunks.first_id and chunks.last_id
where
    {{ below_application_id_range('compat.id', ref('PriceForecast')) }}
    and not exists (
        select 1 from {{ ref('stg_legacy__price_forecasts') }} as legacy
        where legacy.id = compat.id
    )
{%- endmacro %}
