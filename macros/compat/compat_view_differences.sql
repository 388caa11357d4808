{#- CTEs that compare a legacy table with its compat view, every legacy column, duplicates
    counted: `<legacy_table>_only_legacy` and `<legacy_table>_only_compat` hold the rows found
    on that side only (EXCEPT ALL both ways). The rows the application added (ids in its
    reserved range of `new_table`) are not legacy rows and are left out of the compat side.
    The legacy rows are read from `legacy_relation`, the legacy table itself unless given (a
    singular test reads the staging view: a test on the source would be a readiness check).
    `left_out`, if given, a condition on a legacy row (alias `legacy_rows`), leaves that row
    and the compat rows of its id out of both sides. Each CTE is followed by a comma. -#}
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
