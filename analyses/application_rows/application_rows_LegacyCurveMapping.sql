-- Rows of "LegacyCurveMapping" the application wrote: ids in the application's id range.

select * from {{ ref('LegacyCurveMapping') }}
where not {{ below_application_id_range('id', ref('LegacyCurveMapping')) }}
order by id
