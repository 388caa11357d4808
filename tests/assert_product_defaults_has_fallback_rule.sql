-- Seed product_defaults must keep its `*` row: curves of an unlisted product take their
-- commodity and default schedule from it.

select 'seed product_defaults has no * row' as failure
where not exists (
    select 1 from {{ ref('product_defaults') }}
    where product = '*'
)
