-- The verification ledger (doc block price_chunk_checksums): per chunk of price rows, the count and
-- checksum of the legacy rows a batch settled and of what price_forecasts_compat returns for them, at
-- the chunk's version (price_chunk_versions). The first build checksums every chunk, one scan per side;
-- later ones the chunks that changed, by id range. Rows are hashed in a subquery the planner keeps
-- (offset 0: a few hundred chunks, summed by hash); no nested loop (one index scan per instance).
{{ config(
    materialized = 'incremental',
    incremental_strategy = 'replace_all',
    on_schema_change = 'fail',
    tags = ['full_pass'],
    pre_hook = ["{{ bulk_session_settings() }}", "set local enable_nestloop = off"],
) }}
{%- set bits = var('price_chunk_bits') %}
{%- set in_changed_chunks = (
    'between (select bounds.first_id from bounds) and (select bounds.last_id from bounds) and {id} >> '
    ~ bits ~ ' in (select changed.chunk from changed)'
) if is_incremental() else 'is not null' %}

with

batch as (
    select batches.* from {{ ref('price_load_batches') }} as batches
    order by batches.batch_id desc limit 1
),

versions as (
    select * from {{ ref('price_chunk_versions') }}
),

changed as (
    {%- if is_incremental() %}
        select versions.chunk from versions
        left join {{ this }} as stored on versions.chunk = stored.chunk
        where {{ price_chunk_changed('versions', 'stored', '(select batch.batch_id from batch)') | indent(8) }}
    {%- else %}
        select versions.chunk from versions
    {%- endif %}
),

bounds as (
    select
        min(changed.chunk)::bigint << {{ bits }} as first_id,
        ((max(changed.chunk)::bigint + 1) << {{ bits }}) - 1 as last_id
    from changed
),

legacy as (
    select
        hashed.chunk,
        count(*) filter (where not hashed.unsettled) as settled_rows,
        coalesce(sum(hashed.fingerprint) filter (where not hashed.unsettled), 0) as legacy_checksum
    from (
        select
            legacy_rows.id >> {{ bits }} as chunk,
            {{ price_row_fingerprint('legacy_rows') | indent(12) }} as fingerprint,
            coalesce({{ row_changed_since('legacy_rows.row_version', '(select batch.snapshot from batch)') | indent(12) }}, false) as unsettled
        from {{ ref('stg_legacy__price_forecasts') }} as legacy_rows
        where legacy_rows.id {{ in_changed_chunks.replace('{id}', 'legacy_rows.id') }}
        offset 0  -- noqa: AM09
    ) as hashed
    group by hashed.chunk
),

compat as (
    -- the legacy ids the view returns (below the application's range, or listed); the rows of
    -- unsettled ids too: a chunk that has some differs, and its test compares it row by row
    select
        hashed.chunk,
        count(*) as compat_rows,
        coalesce(sum(hashed.fingerprint), 0) as compat_checksum
    from (
        select
            compat_rows.id >> {{ bits }} as chunk,
            {{ price_row_fingerprint('compat_rows') | indent(12) }} as fingerprint
        from {{ ref('price_forecasts_compat') }} as compat_rows
        where
            compat_rows.id {{ in_changed_chunks.replace('{id}', 'compat_rows.id') }}
            and case
                when {{ below_application_id_range('compat_rows.id', ref('PriceForecast')) }} then true
                else compat_rows.id in (
                    select listed.source_id from {{ ref('migration_exceptions') }} as listed
                    where listed.source_table = 'price_forecasts'
                )
            end
        offset 0  -- noqa: AM09
    ) as hashed
    group by hashed.chunk
),

checksums as (
    select
        versions.*,
        coalesce(legacy.settled_rows, 0) as settled_rows,
        coalesce(legacy.legacy_checksum, 0) as legacy_checksum,
        coalesce(compat.compat_rows, 0) as compat_rows,
        coalesce(compat.compat_checksum, 0) as compat_checksum,
        (select batch.batch_id from batch) as checksummed_by_batch
    from versions
    inner join changed on versions.chunk = changed.chunk
    left join legacy on versions.chunk = legacy.chunk
    left join compat on versions.chunk = compat.chunk
    {%- if is_incremental() %}
        union all
        -- the chunks unchanged since their checksums were taken
        select stored.* from {{ this }} as stored
        where
            stored.chunk in (select versions.chunk from versions)
            and stored.chunk not in (select changed.chunk from changed)
    {%- endif %}
)

select * from checksums
