{#- SQL condition: the PriceForecast row `alias` was written last by the migration's own
    load, not by the application: its row version (xmin) is the transaction of a batch that
    PriceForecast loaded (price_load_batches.load_xid, in the 32 bits an xmin has). An
    UPDATE by the application gives the row its own transaction's id. (A dump and restore
    of the table would give every row a new one: corrections are then listed, not carried
    over.) -#}
{% macro written_by_the_migration(alias) -%}
    {%- set loads = [] -%}
    {%- if execute -%}
        {%- set ledger = model_relation('price_load_batches') -%}
        {%- if load_relation(ledger) is not none -%}
            {%- for row in run_query('select load_xid from ' ~ ledger ~ ' where load_xid is not null') -%}
                {%- do loads.append("'" ~ (row[0] | int % 4294967296) ~ "'") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if loads -%}
        {{ alias }}.xmin = any(array[{{ loads | join(', ') }}]::xid [])
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}
