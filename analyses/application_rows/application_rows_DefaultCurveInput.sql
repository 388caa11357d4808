-- Rows of "DefaultCurveInput" the application wrote: all of them (the migration writes none).

select * from {{ ref('DefaultCurveInput') }}
order by id
