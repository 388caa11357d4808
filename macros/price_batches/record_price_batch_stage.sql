{% macro record_price_batch_stage(stage, values={}) -%}
update {{ ref('price_load_batches') }}
set
    {{ stage }} = clock_timestamp() at time zone 'UTC'
    {%- for column, value in values.items() %},
    {{ column }} = {{ value if value is string else (value | string | lower if value is boolean else value) }}
    {%- endfor %}
where batch_id = (select max(batches.batch_id) from {{ ref('price_load_batches') }} as batches)
{%- endmacro %}
