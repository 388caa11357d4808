-- Rows of "CurveInstance" the application wrote: those without the migration's marker.

select * from {{ ref('CurveInstance') }}
where metadata ->> 'source' is distinct from '{{ migration_marker() }}'
order by id
