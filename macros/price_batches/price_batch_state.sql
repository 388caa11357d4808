{#- What the load ledger (model price_load_batches) says, as a dict for the models of a
    batch to render their SQL from:

      current        the latest batch: this build's, once price_load_batches has run
      last_loaded    the latest batch whose rows PriceForecast committed (none before)
      last_counted   the latest batch int_price_rows_counted committed
      last_listed    the latest batch migration_exceptions committed
      unlisted       the batches PriceForecast loaded since the last listed one (a list)

    each a dict of the ledger's columns, or none. Empty before the ledger exists. -#}
{% macro price_batch_state(ledger=none) -%}
    {%- set ledger = ledger if ledger is not none else model_relation('price_load_batches') -%}
    {%- set state = {
        'current': none, 'last_loaded': none, 'last_counted': none, 'last_listed': none, 'unlisted': [],
    } -%}
    {%- if not execute or load_relation(ledger) is none -%}
        {{ return(state) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select batch_id, snapshot, legacy_price_rows, changed_price_ids is null as reads_every_row,"
        ~ " corrected_price_rows, deleted_price_rows, load_xid,"
        ~ " counted_at is not null as counted, loaded_at is not null as loaded,"
        ~ " listed_at is not null as listed, rows_written"
        ~ " from " ~ ledger ~ " order by batch_id"
    ) -%}
    {%- for row in rows -%}
        {%- set batch = {} -%}
        {%- for column in rows.column_names -%}
            {%- do batch.update({column: row[column]}) -%}
        {%- endfor -%}
        {%- do state.update({'current': batch}) -%}
        {%- if batch.loaded -%}{%- do state.update({'last_loaded': batch}) -%}{%- endif -%}
        {%- if batch.counted -%}{%- do state.update({'last_counted': batch}) -%}{%- endif -%}
        {%- if batch.listed -%}
            {%- do state.update({'last_listed': batch, 'unlisted': []}) -%}
        {%- elif batch.loaded -%}
            {%- do state.unlisted.append(batch) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(state) }}
{%- endmacro %}
