{% macro written_by_the_migration(alias) -%}
    {{ alias }}.xmin = any(array(
        select (loads.load_xid % 4294967296)::text::xid
        from {{ ref('price_load_batches') }} as loads
        where loads.load_xid is not null
    ))
{%- endmacro %}
