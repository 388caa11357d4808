-- The version of each chunk of price rows, as the database holds them now: a chunk is the ids
-- that share id >> var price_chunk_bits. Per chunk and per relation the compat view's legacy
-- rows are built from: the row count and an order-independent sum of a hash of each row's id
-- and version (xmin: the transaction that wrote it; for PriceForecast, with what the compat
-- view reads of its CurveInstance); for migration_exceptions, rebuilt by every build, of the
-- listed row itself. Any insert, update or delete changes its chunk's version.
-- price_chunk_checksums stores the versions its
-- checksums were taken at: a chunk whose version is the same has not changed since, and its
-- checksums still hold. No price value is read, only ids and versions. Each side is hashed in a
-- subquery the planner keeps (offset 0), so it expects a few hundred chunks and sums them by hash.
{{ config(materialized = 'view') }}
{%- set bits = var('price_chunk_bits') %}

with

legacy as (
    select
        hashed.chunk,
        count(*) as legacy_rows,
        sum(hashed.version) as legacy_version
    from (
        select
            legacy_rows.id >> {{ bits }} as chunk,
            hashint8extended(legacy_rows.id, legacy_rows.row_version::text::bigint) as version
        from {{ ref('stg_legacy__price_forecasts') }} as legacy_rows
        offset 0  -- noqa: AM09
    ) as hashed
    group by hashed.chunk
),

prices as (
    select
        hashed.chunk,
        count(*) as price_forecast_rows,
        sum(hashed.version) as price_forecast_version
    from (
        select
            prices.id >> {{ bits }} as chunk,
            int8xor(hashint8extended(prices.id, prices.xmin::text::bigint), coalesce(instances.content, 0)) as version
        from {{ ref('PriceForecast') }} as prices
        left join (
            -- what the compat view reads of an instance, hashed once per instance: a later run
            -- superseding it rewrites its row, not what its price rows return
            select
                instances.id,
                hashtextextended(
                    concat_ws(
                        chr(31),
                        coalesce(instances.curve_definition_id::text, chr(30)),
                        coalesce(instances."forecastRunDate"::text, chr(30)),
                        coalesce((instances.metadata -> 'legacyBaseline')::text, chr(30)),
                        coalesce(instances.metadata ->> 'legacyValueType', chr(30)),
                        coalesce(instances.metadata ->> 'source', chr(30))
                    ),
                    instances.id
                ) as content
            from {{ ref('CurveInstance') }} as instances
        ) as instances
            on prices.curve_instance_id = instances.id
        offset 0  -- noqa: AM09
    ) as hashed
    group by hashed.chunk
),

listed as (
    select
        listed_rows.source_id >> {{ bits }} as chunk,
        count(*) as listed_rows,
        sum(hashtextextended(listed_rows.source_id || ' ' || coalesce(listed_rows.legacy_row::text, ''), 0))
            as listed_version
    from {{ ref('migration_exceptions') }} as listed_rows
    where listed_rows.source_table = 'price_forecasts'
    group by listed_rows.source_id >> {{ bits }}
),

final as (
    select
        coalesce(legacy.chunk, prices.chunk, listed.chunk) as chunk,
        coalesce(legacy.legacy_rows, 0) as legacy_rows,
        coalesce(legacy.legacy_version, 0) as legacy_version,
        coalesce(prices.price_forecast_rows, 0) as price_forecast_rows,
        coalesce(prices.price_forecast_version, 0) as price_forecast_version,
        coalesce(listed.listed_rows, 0) as listed_rows,
        coalesce(listed.listed_version, 0) as listed_version
    from legacy
    full outer join prices
        on legacy.chunk = prices.chunk
    full outer join listed
        on coalesce(legacy.chunk, prices.chunk) = listed.chunk
)

select * from final
