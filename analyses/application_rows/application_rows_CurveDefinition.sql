-- Rows of "CurveDefinition" the application wrote: those without the migration's marker.

select * from {{ ref('CurveDefinition') }}
where metadata ->> 'source' is distinct from '{{ migration_marker() }}'
order by id
