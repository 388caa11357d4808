{% macro record_price_batch_stage(stage, values={}) -%}
    {%- set batch = price_batch_state().current if execute else none -%}
    {%- if batch is none -%}
        {{ return('select 1') }}
    {%- endif -%}
update {{ model_relation('price_load_batches') }}
set
    {{ stage }} = clock_timestamp() at time zone 'UTC'
    {%- for column, value in values.items() %},
    {{ column }} = {{ value if value is string else (value | string | lower if value is boolean else value) }}
    {%- endfor %}
where batch_id = {{ batch.batch_id }}
{%- endmacro %}
