{#- Post-hook: a unique index on `column` of `relation` unless the table has one, named by
    PostgreSQL (`<table>_<column>_idx`), so two builds give the same name where dbt's
    `indexes` config would give a new hash each time. -#}
{% macro ensure_unique_index(relation, column) -%}
do $unique_index$
begin
    if not exists (
        select 1 from pg_catalog.pg_index
        where indrelid = '{{ relation }}'::regclass and indisunique
    ) then
        create unique index on {{ relation }} ({{ adapter.quote(column) }});
    end if;
end
$unique_index$
{%- endmacro %}
