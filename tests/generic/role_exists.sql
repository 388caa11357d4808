{#- Readiness: the application's role that will be granted access exists (an empty
    role name means no grants are made, and the test passes). -#}
{% test role_exists(model, role_name) %}

select
    '{{ role_name }}' as role_name,
    'role {{ role_name }} (var app_role) does not exist' as failure
where
    '{{ role_name }}' <> ''
    and not exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role_name }}')

{% endtest %}
