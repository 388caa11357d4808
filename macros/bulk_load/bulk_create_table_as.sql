{% macro bulk_create_table_as(relation, sql) -%}
    {{- get_assert_columns_equivalent(sql) -}}
    {%- set columns = model['columns'].values() | list %}
create table {{ relation }} as
select
{%- for column in columns %}
    model_rows.{{ _bulk_column_name(column) }}::{{ column.data_type }} as {{ _bulk_column_name(column) }}{{ "," if not loop.last }}
{%- endfor %}
from (
    {{ sql }}
) as model_rows
{%- endmacro %}
