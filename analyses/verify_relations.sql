-- Runbook Step 4 "check new tables exist": every relation and enum type this project
-- creates, listed from the dbt graph (not by hand), and the legacy tables it reads, each
-- with what the database catalog holds. A missing object has found_kind NULL.
{%- set groups = {
    'forecast': (2, 'new table'),
    'compat': (3, 'compat view'),
    'audit': (5, 'audit table'),
    'staging': (6, 'staging view'),
    'intermediate': (7, 'intermediate model'),
} -%}
{%- set expected = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- do expected.append((1, 'legacy source', node.name, 'table', node.schema, node.identifier)) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() if node.package_name == project_name -%}
        {%- if node.resource_type == 'model' -%}
            {%- set group = groups.get(node.fqn[1], (9, node.fqn[1])) -%}
            {%- set kind = 'table' if node.config.materialized in ('table', 'incremental') else 'view' -%}
            {%- do expected.append((group[0], group[1], node.name, kind, node.schema, node.alias)) -%}
        {%- elif node.resource_type == 'seed' -%}
            {%- do expected.append((8, 'seed', node.name, 'table', node.schema, node.alias)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for type_name in var('enum_types') -%}
        {%- do expected.append((4, 'enum type', type_name, 'enum type', target.schema, type_name)) -%}
    {%- endfor -%}
{%- endif %}

with

expected as (
    select *
    from (
        values
        {%- for sort_order, object_group, object_name, kind, schema_name, identifier in expected | sort %}
            (
                {{ sort_order }},
                '{{ object_group }}',
                '{{ object_name | replace("'", "''") }}',
                '{{ kind }}',
                '{{ schema_name | replace("'", "''") }}',
                '{{ identifier | replace("'", "''") }}'
            ){{ "," if not loop.last }}
        {%- else %}
            (0, 'none', 'none', 'none', 'none', 'none')
        {%- endfor %}
    ) as expected_objects (sort_order, object_group, object_name, expected_kind, schema_name, identifier)
),

found as (
    select
        expected.sort_order,
        expected.object_group,
        expected.object_name,
        expected.schema_name,
        expected.expected_kind,
        case
            when expected.expected_kind = 'enum type'
                then
                    case
                        when to_regtype(format('%I.%I', expected.schema_name, expected.identifier)) is not null
                            then 'enum type'
                    end
            else (
                select
                    case relations.relkind
                        when 'r' then 'table'
                        when 'p' then 'table'
                        when 'v' then 'view'
                        when 'm' then 'materialized view'
                        else relations.relkind::text
                    end
                from pg_catalog.pg_class as relations
                where relations.oid = to_regclass(format('%I.%I', expected.schema_name, expected.identifier))
            )
        end as found_kind
    from expected
)

select
    object_group,
    object_name,
    schema_name,
    expected_kind,
    found_kind
from found
order by sort_order, object_name
