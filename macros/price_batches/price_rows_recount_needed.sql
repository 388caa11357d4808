{% macro price_rows_recount_needed() -%}
    {%- if not is_incremental() -%}
        true
    {%- else -%}
        {%- set ledger = ref('price_load_batches') -%}
        coalesce((
            select
                latest.changed_price_ids is null
                or not latest.only_new_price_rows
                or (
                    (select max(counted.batch_id) from {{ ledger }} as counted where counted.counted_at is not null)
                    is distinct from
                    (select max(loaded.batch_id) from {{ ledger }} as loaded where loaded.loaded_at is not null)
                )
            from {{ ledger }} as latest
            order by latest.batch_id desc
            limit 1
        ), true)
    {%- endif -%}
{%- endmacro %}
