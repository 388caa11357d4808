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
