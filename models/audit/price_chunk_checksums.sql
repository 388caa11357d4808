-- The verification ledger (doc block price_chunk_checksums): per chunk of price rows, the count and
-- checksum (sum of price_row_fingerprint) of the legacy rows a batch settled and of what
-- price_forecasts_compat returns for them, at the chunk's version (price_chunk_versions). The first build
-- checksums every chunk (scans: an index range the planner cannot size would read every row by index);
-- later ones only the chunks whose version changed or with rows left to a later batch, by id range.
{{ config(
    materialized = 'incremental',
    incremental_strategy = 'replace_all',
    on_schema_change = 'fail',
    tags = ['full_pass'],
    pre_hook = ["{{ bulk_session_settings() }}"],
) }}
{%- set bits = var('price_chunk_bits') %}
{%- set in_changed_range = 'between (select bounds.first_id from bounds) and (select bounds.last_id from bounds)' if is_incremental() else 'is not null' %}
{%- set versions = [
    'legacy_rows', 'legacy_version', 'price_forecast_rows', 'price_forecast_version', 'listed_rows', 'listed_version'
] %}

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
        left join {{ this }} as stored
            on versions.chunk = stored.chunk
        where
            stored.chunk is null
            or ({{ 'versions.' ~ versions | join(', versions.') }})
            is distinct from ({{ 'stored.' ~ versions | join(', stored.') }})
            or (
                stored.settled_rows <> stored.legacy_rows
                and stored.checksummed_by_batch <> (select batch.batch_id from batch)
            )
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
        staged.id >> {{ bits }} as chunk,
        count(*) filter (where not staged.changed_since_the_batch) as settled_rows,
        coalesce(sum({{ price_row_fingerprint('staged') }}) filter (where not staged.changed_since_the_batch), 0)
            as legacy_checksum,
        array_agg(staged.id) filter (where staged.changed_since_the_batch) as unsettled_ids
    from (
        select
            legacy_rows.*,
            coalesce(
                {{ row_changed_since('legacy_rows.row_version', '(select batch.snapshot from batch)') | indent(16) }},
                false
            ) as changed_since_the_batch
        from {{ ref('stg_legacy__price_forecasts') }} as legacy_rows
        where
            legacy_rows.id {{ in_changed_range }}
            and legacy_rows.id >> {{ bits }} in (select changed.chunk from changed)
    ) as staged
    group by staged.id >> {{ bits }}
),

compat as (
    -- the legacy ids the view returns: below the application's range, or listed
    select
        compat_rows.id >> {{ bits }} as chunk,
        count(*) as compat_rows,
        coalesce(sum({{ price_row_fingerprint('compat_rows') }}), 0) as compat_checksum
    from {{ ref('price_forecasts_compat') }} as compat_rows
    where
        compat_rows.id {{ in_changed_range }}
        and compat_rows.id >> {{ bits }} in (select changed.chunk from changed)
        and compat_rows.id not in (select unnest(legacy.unsettled_ids) from legacy)
        and case
            when {{ below_application_id_range('compat_rows.id', ref('PriceForecast')) }} then true
            else compat_rows.id in (
                select listed.source_id from {{ ref('migration_exceptions') }} as listed
                where listed.source_table = 'price_forecasts'
            )
        end
    group by compat_rows.id >> {{ bits }}
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
