-- Every row of migration_exceptions, grouped by legacy table and reason, with the legacy
-- ids of the group in order (comma-separated).

select
    source_table,
    reason,
    count(*) as exception_rows,
    string_agg(source_id::text, ',' order by source_id) as source_ids
from {{ ref('migration_exceptions') }}
group by source_table, reason
order by source_table asc, exception_rows desc, reason asc
