{{ config(
    incremental_strategy = 'append',
    post_hook = ["{{ reserve_application_ids('curve_definitions') }}"],
) }}

-- One row per migrated legacy curve: the legacy curve_id, the CurveDefinition it became
-- (same id) and how its name was derived. Written once; never rewritten.

with

definitions as (
    select
        id,
        "curveName"
    from {{ ref('CurveDefinition') }}
    where metadata ->> 'source' = '{{ migration_marker() }}'
),

names as (
    select * from {{ ref('int_curve_names_derived') }}
),

final as (
    select
        definitions.id,
        definitions.id as "oldCurveId",
        definitions.id as "newCurveDefinitionId",
        'curveName ' || definitions."curveName"
        || case
            when definitions."curveName" <> names.base_name
                then '; suffixed: the derived name ' || names.base_name || ' was already taken'
            else ''
        end
        || case
            when names.uses_placeholder
                then '; a NULL market, product or location became {{ unknown_placeholder() }}'
            else ''
        end as "migrationNotes",
        {{ run_started_at_literal() }} as "migratedAt"
    from definitions
    inner join names
        on definitions.id = names.curve_id
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as mapped
            where mapped."oldCurveId" = definitions.id
        )
    {% endif %}
)

select * from final
