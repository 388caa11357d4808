{% macro row_changed_since(row_version, snapshot) -%}
    {%- if snapshot is none -%}
        true
    {%- else -%}
        {%- set parts = snapshot.split(':') -%}
        {%- set in_progress = parts[2].split(',') | reject('equalto', '') | list -%}
        {%- set statement_age -%}
            (select age((pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text::xid))
        {%- endset -%}
        (
            (age({{ row_version }})::bigint - {{ statement_age }} + 4294967296) % 4294967296
            <= (age('{{ parts[1] | int % 4294967296 }}'::xid)::bigint - {{ statement_age }} + 4294967296) % 4294967296
            {%- if in_progress %}
            or {{ row_version }} = any(array[
                {%- for xid in in_progress %}'{{ xid | int % 4294967296 }}'{{ ", " if not loop.last }}{% endfor -%}
            ]::xid [])
            {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}
