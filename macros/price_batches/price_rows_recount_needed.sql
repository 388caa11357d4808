{% macro price_rows_recount_needed() -%}
    {%- set state = price_batch_state() -%}
    {%- set batch = state.current -%}
    {%- if not is_incremental() or batch is none or batch.reads_every_row
        or not batch.only_new_price_rows -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set counted = (state.last_counted or {}).get('batch_id') -%}
    {%- set loaded = (state.last_loaded or {}).get('batch_id') -%}
    {{ return(counted != loaded) }}
{%- endmacro %}
