{#- SQL condition: a legacy id lies below the application's id range of `relation`
    (always true while no range is reserved). -#}
{% macro below_application_id_range(id_column, relation) -%}
    coalesce({{ id_column }} < {{ application_id_start(relation) }}, true)
{%- endmacro %}
