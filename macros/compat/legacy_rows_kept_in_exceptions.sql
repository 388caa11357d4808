{#- SELECT of the legacy rows migration_exceptions keeps, as a compat view returns them:
    every legacy column of `columns`, read from the kept row (CTE `listed`: the exceptions
    of one legacy table) and cast by legacy_typed. The `key` column is read from source_id
    (the same value), so a lookup by id uses the exceptions' index. -#}
{% macro legacy_rows_kept_in_exceptions(columns, key) -%}
    {%- set expressions = legacy_row_fields(columns, 'listed.legacy_row') %}
    {%- do expressions.update({key: 'listed.source_id'}) %}
select
{{- legacy_typed(columns, expressions) }}
from listed
where listed.legacy_row is not null
{%- endmacro %}
