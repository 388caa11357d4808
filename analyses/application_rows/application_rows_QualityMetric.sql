-- Rows of "QualityMetric" the application wrote: all of them (the migration writes none).

select * from {{ ref('QualityMetric') }}
order by id
