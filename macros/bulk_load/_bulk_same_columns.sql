{% macro _bulk_same_columns(left, right) -%}
    {%- set normalise = [] -%}
    {%- for names in [left, right] -%}
        {%- set cleaned = [] -%}
        {%- for name in names -%}{%- do cleaned.append(name | replace('"', '') | trim) -%}{%- endfor -%}
        {%- do normalise.append(cleaned | sort) -%}
    {%- endfor -%}
    {{- return(normalise[0] == normalise[1]) -}}
{%- endmacro %}
