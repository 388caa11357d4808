{#- Pre-hook of the models that read or load every legacy price row: memory for their sorts,
    hashes (work_mem) and index builds (maintenance_work_mem), for this transaction only
    (SET LOCAL), from vars bulk_work_mem and bulk_maintenance_work_mem. -#}
{% macro bulk_session_settings() -%}
    set local work_mem = '{{ var("bulk_work_mem") }}';
    set local maintenance_work_mem = '{{ var("bulk_maintenance_work_mem") }}'
{%- endmacro %}
