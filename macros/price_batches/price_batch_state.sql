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
        ~ " only_new_price_rows,"
        ~ " counted_at is not null as counted, loaded_at is not null as loaded,"
        ~ " listed_at is not null as listed, rows_written"
        ~ " from " ~ ledger ~ " order by batch_id"
    ) -%}
    {%- for row in rows -%}
        {%- set batch = dict(zip(rows.column_names, row)) -%}
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
