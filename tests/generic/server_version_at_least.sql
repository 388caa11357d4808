{#- Readiness: the server is PostgreSQL `minimum_version_num` (server_version_num form,
    130000 = 13) or newer. The project uses INSERT ... ON CONFLICT, not MERGE. -#}
{% test server_version_at_least(model, minimum_version_num) %}

select
    current_setting('server_version') as server_version,
    'PostgreSQL ' || current_setting('server_version')
    || ' is older than the oldest supported, server_version_num {{ minimum_version_num | int }}'
    || ' (var minimum_server_version_num)' as failure
where current_setting('server_version_num')::integer < {{ minimum_version_num | int }}

{% endtest %}
