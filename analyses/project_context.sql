-- Where the wrapper runs and what the project's vars say: the header of `forecast-migrate
-- verify`, and with the manifest the inventory every command of the wrapper works from.

select
    current_database() as database_name,
    current_user as user_name,
    current_setting('server_version') as server_version,
    '{{ target.schema | replace("'", "''") }}' as target_schema,
    '{{ var("legacy_schema") | replace("'", "''") }}' as legacy_schema,
    '{{ var("migration_schema") | replace("'", "''") }}' as migration_schema,
    {{ var('expected_curve_count') | int }} as expected_curve_count,
    '{{ var("enum_types").keys() | join(",") if execute }}' as enum_types,
    '{{ cutover_guard() }}' as cutover_guard,
    to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') as checked_at
