{#- Whether int_price_rows_counted counts every legacy row again this build instead of
    adding the batch to its groups: when the table is built anew (the first build, or
    --full-refresh), on the first batch (the batch reads every row), when the
    batch holds a corrected row or rows were deleted (a count already made would be wrong),
    or when the last build stopped between counting a batch and loading it (that batch is
    counted, and the next one reads its rows again). -#}
{% macro price_rows_recount_needed() -%}
    {%- set state = price_batch_state() -%}
    {%- set batch = state.current -%}
    {%- if not is_incremental() or batch is none or batch.reads_every_row
        or batch.corrected_price_rows > 0 or batch.deleted_price_rows != 0 -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set counted = (state.last_counted or {}).get('batch_id') -%}
    {%- set loaded = (state.last_loaded or {}).get('batch_id') -%}
    {{ return(counted != loaded) }}
{%- endmacro %}
