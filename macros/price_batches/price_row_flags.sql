{% macro price_row_flags(row, baseline) -%}
    {%- set differs = [] -%}
    {%- for column in flagged_price_columns() -%}
        {#- parenthesised: sqlfluff's parser stops at `a is distinct from b or ...` -#}
        {%- do differs.append('(' ~ row ~ '.' ~ column ~ ' is distinct from ' ~ baseline ~ '.' ~ column ~ ')') -%}
    {%- endfor -%}
    case
        when {{ differs | join(' or ') }} or {{ row }}.mark_date is null
            then array_remove(array[
                {%- for column in flagged_price_columns() %}
                case
                    when {{ differs[loop.index0] }}
                        then 'legacy_{{ column }}' || coalesce(':' || {{ row }}.{{ column }}, ' is null')
                end,
                {%- endfor %}
                case when {{ row }}.mark_date is null then 'legacy_mark_date is null' end
            ], null)
    end
{%- endmacro %}
