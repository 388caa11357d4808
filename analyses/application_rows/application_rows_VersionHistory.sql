-- Rows of "VersionHistory" the application wrote: all of them (the migration writes none).

select * from {{ ref('VersionHistory') }}
order by id
