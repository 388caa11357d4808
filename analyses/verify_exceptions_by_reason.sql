-- Every row of migration_exceptions, grouped by legacy table and reason, with the legacy
-- ids of the group as ranges in order (`1-3, 7, 9-10`).

with

exceptions as (
    select
        source_table,
        reason,
        source_id
    from {{ ref('migration_exceptions') }}
),

islands as (
    -- consecutive ids share source_id minus their rank
    select
        source_table,
        reason,
        source_id,
        source_id - row_number() over (partition by source_table, reason order by source_id) as island
    from exceptions
),

id_ranges as (
    select
        source_table,
        reason,
        min(source_id) as first_id,
        max(source_id) as last_id,
        count(*) as ids
    from islands
    group by source_table, reason, island
)

select
    source_table as legacy_table,
    sum(ids)::bigint as exception_rows,
    string_agg(
        case when first_id = last_id then first_id::text else first_id || '-' || last_id end,
        ', ' order by first_id
    ) as legacy_ids,
    reason
from id_ranges
group by source_table, reason
order by legacy_table asc, exception_rows desc, reason asc
