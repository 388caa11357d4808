{% macro record_price_load(relation) -%}
    {%- set ledger = ref('price_load_batches') -%}
    {%- set latest = '(select changed_price_ids from ' ~ ledger ~ ' order by batch_id desc limit 1)' -%}
    {%- set mine = 'written.xmin = (txid_current() % 4294967296)::text::xid' -%}
    {%- set written -%}
        (
            -- a batch that reads every row: every row this transaction wrote; else its ids, by index
            (select count(*) from {{ relation }} as written where {{ mine }} and {{ latest }} is null)
            + (select count(*) from {{ relation }} as written where {{ mine }} and written.id = any({{ latest }}::integer[]))
        )
    {%- endset -%}
    {{ record_price_batch_stage('loaded_at', {'load_xid': 'txid_current()', 'rows_written': written}) }}
{%- endmacro %}
