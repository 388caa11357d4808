-- a table: small (the rows skipped), and read by migration_exceptions and its tests alike

with

gates as (
    select * from {{ ref('price_batches_to_list') }}
),

batch_rows as (
    -- read only when the ledger says the load skipped rows: every row when one of the batches
    -- read every row (but for the rows written since the last batch read the legacy table:
    -- the next batch's), else the batches' changed ids, by index
    select classified.id from {{ ref('int_price_rows_classified') }} as classified
    where
        classified.exception_reason is null
        and (select gates.look_for_skipped and gates.reads_every_row from gates)
        and not coalesce({{ row_changed_since('classified.row_version', '(select gates.last_snapshot from gates)') }}, false)
    union all
    select classified.id from {{ ref('int_price_rows_classified') }} as classified
    where
        classified.exception_reason is null
        and (select gates.look_for_skipped and not gates.reads_every_row from gates)
        and classified.id = any((select gates.changed_price_ids from gates)::integer[])
),

final as (
    select
        'price_forecasts' as source_table,
        batch_rows.id as source_id,
        case
            when held.id is not null then '{{ application_value_kept_reason() }}'
            else '{{ duplicate_price_row_reason() }}'
        end as reason
    from batch_rows
    left join {{ ref('PriceForecast') }} as held
        on batch_rows.id = held.id
    where held.id is null or not {{ written_by_the_migration('held') }}
)

select * from final
