{#- SQL expression: candidate number `name_suffix` of a curveName: the base name itself for
    1, base_name_V<n> for n > 1 (assign_curve_names takes the first one free). -#}
{% macro suffixed_curve_name(base_name, name_suffix) -%}
    case
        when {{ name_suffix }} = 1 then {{ base_name }}
        else {{ base_name }} || '_V' || {{ name_suffix }}
    end
{%- endmacro %}
