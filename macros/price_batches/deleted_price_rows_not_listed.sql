{#- SELECT of the ids of the migrated legacy price rows deleted from the legacy table after a
    batch read them that migration_exceptions does not list yet: price_forecasts_compat
    still returns them (PriceForecast keeps the row); the next build lists them. -#}
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
