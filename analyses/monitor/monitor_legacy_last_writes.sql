-- `forecast-migrate monitor`, check legacy_writes, while the legacy tables are tables (monitor
-- runs it only then; after the clean-up they are views, without row versions): per legacy
-- table, the newest row it holds (the highest id, read by index) and when it was committed,
-- where the server keeps commit times (track_commit_timestamp, an RDS parameter).
{%- set id_columns = {'curve_definitions': 'curve_id', 'price_forecasts': 'id', 'curve_schedule': 'schedule_id'} %}

{% for legacy_table, id_column in id_columns.items() %}
    select
        '{{ legacy_table }}' as subject,
        'ok' as status,
        'newest row: ' || coalesce('{{ id_column }} ' || max(newest.row_id), 'none')
        || coalesce(', committed ' || to_char(max(newest.committed_at) at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), '') as detail,
        null as action
    from (
        select
            legacy_rows.{{ id_column }} as row_id,
            case
                when current_setting('track_commit_timestamp') = 'on' then pg_xact_commit_timestamp(legacy_rows.xmin)
            end as committed_at
        from {{ source('legacy', legacy_table) }} as legacy_rows
        order by legacy_rows.{{ id_column }} desc limit 1
    ) as newest
    {{ 'union all' if not loop.last }}
{% endfor %}
