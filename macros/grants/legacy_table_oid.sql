{% macro legacy_table_oid(legacy_table) -%}
(select legacy_tables.table_oid from {{ ref('stg_legacy__tables') }} as legacy_tables
where legacy_tables.legacy_table = '{{ legacy_table }}')
{%- endmacro %}
