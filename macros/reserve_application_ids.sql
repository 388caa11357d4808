{% macro reserve_application_ids(legacy_table) -%}
do $reserve$
declare
    identity_sequence text := pg_get_serial_sequence('{{ this | replace("'", "''") }}', 'id');
    legacy_sequence text;
    legacy_max_id bigint;
    legacy_last_value bigint;
    first_application_id bigint;
begin
    if (select seq.seqstart from pg_catalog.pg_sequence as seq
        where seq.seqrelid = identity_sequence::regclass) <> 1 then
        return;
    end if;
    -- strict: a legacy table name stg_legacy__tables does not hold is an error, not no limit
    select legacy_tables.id_sequence, legacy_tables.max_id
    into strict legacy_sequence, legacy_max_id
    from {{ ref('stg_legacy__tables') }} as legacy_tables
    where legacy_tables.legacy_table = '{{ legacy_table }}';
    if legacy_sequence is not null then
        select seqs.last_value into legacy_last_value
        from pg_catalog.pg_sequences as seqs
        where format('%I.%I', seqs.schemaname, seqs.sequencename)::regclass = legacy_sequence::regclass;
    end if;
    select greatest(
        coalesce((select max(id) from {{ this }}), 0),
        coalesce(legacy_max_id, 0),
        coalesce(legacy_last_value, 0)
    ) + {{ var('legacy_id_headroom') | int }} + 1
    into first_application_id;
    execute format(
        'alter table %s alter column id set start with %s restart with %s',
        '{{ this | replace("'", "''") }}', first_application_id, first_application_id
    );
end $reserve$
{%- endmacro %}
