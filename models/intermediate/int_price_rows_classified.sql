{{ classify_price_rows(
    ref('stg_legacy__price_forecasts'),
    ref('stg_legacy__curve_definitions'),
) }}
