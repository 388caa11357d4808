-- Rows of "ScheduleRun" the application wrote: all of them (the migration writes none).

select * from {{ ref('ScheduleRun') }}
order by id
