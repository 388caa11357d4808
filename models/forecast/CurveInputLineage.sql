{{ config(incremental_strategy = 'append') }}

-- One LEGACY_MIGRATION placeholder per migrated instance: the instance's data came from the
-- legacy price rows of one forecast run, and nothing more is known about its inputs.

with

legacy_instances as (
    select * from {{ ref('CurveInstance') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

final as (
    select
        nextval(pg_get_serial_sequence('{{ this }}', 'id'))::integer as id,
        legacy_instances.id as curve_instance_id,
        'LEGACY_MIGRATION'::"InputType" as "inputType",
        '{{ var("legacy_schema") }}.price_forecasts'::text as "inputSource",
        legacy_instances.metadata ->> 'legacyRunKey' as "inputIdentifier",
        null::text as "inputVersion",
        legacy_instances."forecastRunDate" as "inputTimestamp",
        'PRIMARY'::"UsageType" as "usageType",
        null::text as "transformApplied",
        null::double precision as weight,
        jsonb_build_object(
            'source', '{{ migration_marker() }}',
            'placeholder', true,
            'legacyCurveId', legacy_instances.metadata -> 'legacyCurveId',
            'legacyMarkDate', legacy_instances.metadata -> 'legacyMarkDate',
            'legacyValueType', legacy_instances.metadata -> 'legacyValueType'
        ) as metadata,
        {{ run_started_at_literal() }} as "createdAt"
    from legacy_instances
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as lineage
            where
                lineage.curve_instance_id = legacy_instances.id
                and lineage."inputType" = 'LEGACY_MIGRATION'
        )
    {% endif %}
)

select * from final
