{% macro legacy_rows_kept_in_exceptions(columns, key) -%}
    {%- set expressions = legacy_row_fields(columns, 'listed.legacy_row') %}
    {%- do expressions.update({key: 'listed.source_id'}) %}
select
{{- legacy_typed(columns, expressions) }}
from listed
where listed.legacy_row is not null
{%- endmacro %}
