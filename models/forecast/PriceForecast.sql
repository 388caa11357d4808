-- The legacy price rows of this build's batch that pass the per-row checks, each in the
-- instance of its forecast run (doc block price_forecast).
-- depends_on: {{ ref('int_price_rows_batch') }}
{{ config(
    incremental_strategy = 'carry_over',
    skip_conflicts_on = ['curve_instance_id', 'timestamp'],
    conflict_order_by = 'id',
    bulk_load = var('bulk_load'),
    pre_hook = [
        "{{ bulk_session_settings() }}",
        "set local enable_nestloop = {{ 'on' if is_incremental() else 'off' }}",
    ],
    post_hook = [
        "{{ bulk_load_constraints() }}",
        "{{ reserve_application_ids('price_forecasts') }}",
        "{{ record_price_load(this) }}",
    ],
) }}

{%- set batch_snapshot = '(select snapshot from ' ~ ref('price_load_batches') ~ ' order by batch_id desc limit 1)' %}

with

{% if is_incremental() %}
    batch_rows as materialized (
        -- read once, not once for each instance the batch's rows are joined to
        select * from {{ ref('int_price_rows_batch') }}
        where exception_reason is null
    ),
{% else %}
    batch_rows as (
        -- the first load reads every classified row directly (a plain scan keeps its parallel
        -- plan), but for the rows written since the batch read the legacy table: the next batch's
        select * from {{ ref('int_price_rows_classified') }}
        where exception_reason is null and not coalesce({{ row_changed_since('row_version', batch_snapshot) }}, false)
    ),
{% endif %}

-- The migrated instances, each with the run key a price row finds it by and the baseline its
-- flags are relative to. Not materialized: inlined, the few instances are the hashed side of
-- the first load's parallel join (enable_nestloop = off for it).
legacy_instances as (
    select
        id as curve_instance_id,
        curve_definition_id as curve_id,
        "forecastRunDate" as forecast_run_date,
        metadata ->> 'legacyValueType' as value_type,
        metadata -> 'legacyBaseline' ->> 'units' as units,
        metadata -> 'legacyBaseline' ->> 'location' as location,
        metadata -> 'legacyBaseline' ->> 'mark_case' as mark_case,
        metadata -> 'legacyBaseline' ->> 'curve_creator' as curve_creator,
        metadata -> 'legacyBaseline' ->> 'granularity' as granularity
    from {{ ref('CurveInstance') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

placed as (
    select
        batch_rows.id,
        legacy_instances.curve_instance_id,
        batch_rows.flow_date_start,
        batch_rows.value,
        {{ price_row_flags('batch_rows', 'legacy_instances') }} as flags
    from batch_rows
    inner join legacy_instances
        on
            batch_rows.curve_id = legacy_instances.curve_id
            and batch_rows.forecast_run_date = legacy_instances.forecast_run_date
            and batch_rows.value_type is not distinct from legacy_instances.value_type
),

{% if is_incremental() %}
    carried as (
        -- a corrected row is rewritten only where the migration wrote it last; a row the
        -- application changed keeps its value (migration_exceptions lists it), and so does
        -- a row whose (instance, timestamp) another id holds, in the table or lower in the
        -- batch. Each test is a lookup by index for the batch's few rows.
        select ranked.*
        from (
            select
                placed.*,
                row_number() over (
                    partition by placed.curve_instance_id, placed.flow_date_start
                    order by placed.id
                ) as rank_in_batch
            from placed
        ) as ranked
        left join {{ this }} as held
            on ranked.id = held.id
        where
            ranked.rank_in_batch = 1
            and (held.id is null or {{ written_by_the_migration('held') }})
            and not exists (
                select 1 from {{ this }} as taken
                where
                    taken.curve_instance_id = ranked.curve_instance_id
                    and taken.timestamp = ranked.flow_date_start
                    and taken.id <> ranked.id
            )
    ),
{% else %}
    carried as (
        select * from placed
    ),
{% endif %}

final as (
    select
        id,
        curve_instance_id,
        flow_date_start as timestamp,
        value,
        null::double precision as confidence,
        null::double precision as "valueHigh",
        null::double precision as "valueLow",
        flags
    from carried
)

select * from final
