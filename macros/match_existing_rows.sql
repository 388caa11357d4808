{#- SELECT of the rows of CTE `derived` that are new or changed since the last build, each
    with the id (`existing_id`) and the `kept_columns` (name -> alias) of the row the
    migration wrote for the same legacy origin (`derived_key` = `existing_key`, read from
    the model's table as `existing`). An unchanged row (same metadata) is left out, so a
    re-run rewrites nothing. On the first build every row is new (NULL ids and columns). -#}
{% macro match_existing_rows(derived, derived_key, existing_key, kept_columns={}) -%}
    {%- if is_incremental() %}
select
    {{ derived }}.*,
    existing.id as existing_id
    {%- for column, alias in kept_columns.items() %},
    existing.{{ column }} as {{ alias }}
    {%- endfor %}
from {{ derived }}
left join {{ this }} as existing
    on
        existing.metadata ->> 'source' = '{{ migration_marker() }}'
        and {{ derived_key }} = {{ existing_key }}
where existing.metadata is distinct from {{ derived }}.metadata
    {%- else %}
select
    {{ derived }}.*,
    null::integer as existing_id
    {%- for alias in kept_columns.values() %},
    null::integer as {{ alias }}
    {%- endfor %}
from {{ derived }}
    {%- endif %}
{%- endmacro %}
