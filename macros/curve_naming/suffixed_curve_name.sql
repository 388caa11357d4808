{% macro suffixed_curve_name(base_name, name_suffix) -%}
    case
        when {{ name_suffix }} = 1 then {{ base_name }}
        else {{ base_name }} || '_V' || {{ name_suffix }}
    end
{%- endmacro %}
