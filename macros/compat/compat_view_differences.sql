{% macro compat_view_differences(legacy_table, key, compat_view, new_table, legacy_relation=none, left_out=none) -%}
    {%- if legacy_relation is none %}
        {%- set legacy_relation = source('legacy', legacy_table) %}
    {%- endif %}
    {%- set column_list = legacy_column_list(legacy_table) %}
{{ legacy_table }}_legacy as (
    select {{ column_list }} from {{ legacy_relation }} as legacy_rows
    {%- if left_out %}
    where not ({{ left_out }})
    {%- endif %}
),

{{ legacy_table }}_compat as (
    select {{ column_list }} from {{ ref(compat_view) }} as compat
    where
        {{ below_application_id_range('compat.' ~ key, ref(new_table)) }}
        {%- if left_out %}
        and compat.{{ key }} not in (
            select legacy_rows.{{ key }} from {{ legacy_relation }} as legacy_rows
            where {{ left_out }}
        )
        {%- endif %}
),

{{ legacy_table }}_only_legacy as (
    select * from {{ legacy_table }}_legacy
    except all
    select * from {{ legacy_table }}_compat
),

{{ legacy_table }}_only_compat as (
    select * from {{ legacy_table }}_compat
    except all
    select * from {{ legacy_table }}_legacy
),
{%- endmacro %}
