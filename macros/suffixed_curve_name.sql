{#- SQL expression: the curveName a curve gets from its base name and its rank among the
    curves deriving that name (curve_name_rank): the base name, or base_name_V<rank>. -#}
{% macro suffixed_curve_name(base_name, name_rank) -%}
    case
        when {{ name_rank }} = 1 then {{ base_name }}
        else {{ base_name }} || '_V' || {{ name_rank }}
    end
{%- endmacro %}
