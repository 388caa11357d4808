-- Rows of "CurveSchedule" the application wrote: those without the migration's marker.

select * from {{ ref('CurveSchedule') }}
where metadata ->> 'source' is distinct from '{{ migration_marker() }}'
order by id
