-- The chunks of price rows the checks compare row by row (doc block price_chunks_to_compare):
-- those changed since the verification ledger took their checksums (macro price_chunk_changed)
-- and those whose two checksums differ. Empty when everything is settled and equal.
{{ config(materialized = 'view') }}
{%- set bits = var('price_chunk_bits') %}

with

batch as (
    select batches.* from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc limit 1
),

versions as (
    select * from {{ ref('price_chunk_versions') }}
),

stored as (
    select * from {{ ref('price_chunk_checksums') }}
),

compared as (
    select
        versions.chunk,
        versions.chunk::bigint << {{ bits }} as first_id,
        ((versions.chunk::bigint + 1) << {{ bits }}) - 1 as last_id,
        coalesce(
            stored.settled_rows <> stored.compat_rows or stored.legacy_checksum <> stored.compat_checksum, false
        ) as checksums_differ,
        (
            {{ price_chunk_changed('versions', 'stored', '(select batch.batch_id from batch)') | indent(12) }}
        ) as changed_since
    from versions
    left join stored
        on versions.chunk = stored.chunk
),

final as (
    select
        compared.chunk,
        compared.first_id,
        compared.last_id,
        compared.checksums_differ
    from compared
    where compared.changed_since or compared.checksums_differ
)

select * from final
