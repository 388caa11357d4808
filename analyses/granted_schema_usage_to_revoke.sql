-- `forecast-migrate rollback`: the roles the migration granted USAGE on the target schema
-- (model granted_schema_usage), as its GRANT named them; rollback revokes each.

select grantee
from {{ ref('granted_schema_usage') }}
where schema_name = '{{ target.schema | replace("'", "''") }}'
order by grantee
