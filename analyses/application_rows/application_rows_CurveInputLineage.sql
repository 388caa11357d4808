-- Rows of "CurveInputLineage" the application wrote: those without the migration's marker.

select * from {{ ref('CurveInputLineage') }}
where metadata ->> 'source' is distinct from '{{ migration_marker() }}'
order by id
