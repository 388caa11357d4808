{% macro bulk_load_constraints(relation=this) -%}
    {%- if not execute or not config.get('bulk_load', false) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set has_primary_key = run_query(
        "select count(*) from pg_catalog.pg_index where indisprimary and indrelid = '"
        ~ relation ~ "'::regclass"
    ).columns[0].values()[0] -%}
    {%- if has_primary_key > 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set columns = model['columns'].values() | list -%}
    {%- set column_not_nulls = [] -%}
    {%- set column_attributes = [] -%}
    {%- set indexed_constraints = [] -%}
    {%- set other_constraints = [] -%}
    {%- for column in columns -%}
        {%- set name = _bulk_column_name(column) -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- set expression = (constraint.get('expression') or '') | trim -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do column_not_nulls.append('alter column ' ~ name ~ ' set not null') -%}
            {%- elif constraint.type == 'primary_key' -%}
                {%- do indexed_constraints.append({'sql': 'primary key (' ~ name ~ ')', 'columns': [name]}) -%}
            {%- elif constraint.type == 'unique' -%}
                {%- do indexed_constraints.append({'sql': 'unique (' ~ name ~ ')', 'columns': [name]}) -%}
            {%- elif constraint.type == 'foreign_key' -%}
                {%- if constraint.get('to') and constraint.get('to_columns') -%}
                    {%- do other_constraints.append('foreign key (' ~ name ~ ') references ' ~ constraint.to ~ ' (' ~ constraint.to_columns | join(', ') ~ ')') -%}
                {%- else -%}
                    {%- do other_constraints.append('foreign key (' ~ name ~ ') references ' ~ expression) -%}
                {%- endif -%}
            {%- elif constraint.type == 'check' -%}
                {%- do other_constraints.append('check (' ~ expression ~ ')') -%}
            {%- elif constraint.type == 'custom' and (expression | lower).startswith('generated ') -%}
                {#- identity needs NOT NULL first, as in CREATE TABLE -#}
                {%- do column_not_nulls.append('alter column ' ~ name ~ ' set not null') -%}
                {%- do column_attributes.append('alter column ' ~ name ~ ' add ' ~ expression) -%}
            {%- elif constraint.type == 'custom' and (expression | lower).startswith('default ') -%}
                {%- do column_attributes.append('alter column ' ~ name ~ ' set ' ~ expression) -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error("bulk_load cannot add the " ~ constraint.type ~ " constraint '" ~ expression ~ "' of column " ~ column.name ~ " after the load") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for constraint in model.get('constraints', []) -%}
        {%- set rendered = adapter.render_raw_model_constraints(raw_constraints=[constraint]) -%}
        {%- if constraint.type in ('unique', 'primary_key') -%}
            {%- do indexed_constraints.append({'sql': rendered[0], 'columns': constraint.columns}) -%}
        {%- elif rendered -%}
            {%- do other_constraints.append(rendered[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set skip_key = config.get('skip_conflicts_on', []) | map('replace', '"', '') | map('trim') | sort -%}
{%- if column_not_nulls %}
alter table {{ relation }} {{ column_not_nulls | unique | join(', ') }};
{%- endif %}
{%- if column_attributes %}
alter table {{ relation }} {{ column_attributes | join(', ') }};
{%- endif %}
{%- for constraint in indexed_constraints %}
    {%- if skip_key and (constraint.columns | map('replace', '"', '') | map('trim') | sort) == skip_key %}
do $bulk_load$
begin
    alter table {{ relation }} add {{ constraint.sql }};
exception when unique_violation then
    delete from {{ relation }}
    where ctid in (
        select repeated.ctid
        from (
            select
                ctid,
                row_number() over (
                    partition by {% for name in skip_key %}{{ adapter.quote(name) }}{{ ", " if not loop.last }}{% endfor %}
                    order by {{ config.require('conflict_order_by') }}
                ) as key_rank
            from {{ relation }}
        ) as repeated
        where repeated.key_rank > 1
    );
    alter table {{ relation }} add {{ constraint.sql }};
end
$bulk_load$;
    {%- else %}
alter table {{ relation }} add {{ constraint.sql }};
    {%- endif %}
{%- endfor %}
{%- for constraint in other_constraints %}
alter table {{ relation }} add {{ constraint }};
{%- endfor %}
analyze {{ relation }}
{%- endmacro %}
