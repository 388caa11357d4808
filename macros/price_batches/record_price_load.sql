{% macro record_price_load(relation) -%}
    {%- set batch = price_batch_state().current if execute else none -%}
    {%- if batch is none -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set written = '(select count(*) from ' ~ relation ~ ' as written'
        ~ ' where written.xmin = (txid_current() % 4294967296)::text::xid'
        ~ (' and written.id = any((select changed_price_ids from ' ~ model_relation('price_load_batches')
            ~ ' where batch_id = ' ~ batch.batch_id ~ ')::integer [])' if not batch.reads_every_row else '')
        ~ ')' -%}
    {{ record_price_batch_stage('loaded_at', {'load_xid': 'txid_current()', 'rows_written': written}) }}
{%- endmacro %}
