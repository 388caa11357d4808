{#- How many rows of this build's price batch pass the per-row checks but were not written by
    its load, by the load ledger: the batch's rows that pass (counted by
    int_price_rows_counted on a batch that reads every row, else read from the batch) less
    the rows the load wrote. migration_exceptions looks for the rows only when this is not
    zero, so a batch that skipped nothing costs no search. -#}
{% macro price_rows_not_written(batch) -%}
    {%- if batch is none or batch.rows_written is none -%}
        {{ return(0) }}
    {%- endif -%}
    {%- if batch.reads_every_row -%}
        {%- set expected = run_query(
            'select coalesce(sum(price_rows), 0) from ' ~ model_relation('int_price_rows_counted')
            ~ ' where exception_reason is null'
        ).columns[0].values()[0] -%}
    {%- else -%}
        {%- set expected = run_query(
            'select count(*) from ' ~ model_relation('int_price_rows_batch') ~ ' where exception_reason is null'
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {{ return(expected - batch.rows_written) }}
{%- endmacro %}
