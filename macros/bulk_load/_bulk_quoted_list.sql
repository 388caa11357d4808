{% macro _bulk_quoted_list(names) -%}
    {%- for name in names %}{{ adapter.quote(name | replace('"', '')) }}{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}
