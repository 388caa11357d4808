{#- Readiness: the extra role named by var app_role exists (an empty name means no extra
    role, and the test passes). -#}
{% test role_exists(model, role_name) %}

select
    '{{ role_name | replace("'", "''") }}' as role_name,
    'role {{ role_name | replace("'", "''") }} (var app_role) does not exist: create it, or leave app_role empty' as failure
where
    '{{ role_name | replace("'", "''") }}' <> ''
    and not exists (
        select 1 from pg_catalog.pg_roles
        where rolname = '{{ role_name | replace("'", "''") }}'
    )

{% endtest %}
