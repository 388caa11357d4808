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
