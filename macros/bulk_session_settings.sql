{% macro bulk_session_settings() -%}
    set local work_mem = '{{ var("bulk_work_mem") }}';
    set local maintenance_work_mem = '{{ var("bulk_maintenance_work_mem") }}'
{%- endmacro %}
