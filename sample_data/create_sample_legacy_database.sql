{#
    create_sample_legacy_database(price_rows=20000, replace=false, shape='interleaved')

    Builds a SAMPLE copy of the legacy database in the schema var('legacy_schema')
    (default "Forecasts") so the migration can be developed and tested without
    production data. Everything is generated inside PostgreSQL with set-based SQL
    (generate_series); there is no random(): every "random" value is derived from
    arithmetic on ids, so two runs produce identical data.

        dbt run-operation create_sample_legacy_database --args '{price_rows: 20000}'
        dbt run-operation create_sample_legacy_database --args '{price_rows: 2000000, replace: true}'

    price_rows is the number of bulk hourly price rows (minimum 2000). They are dealt
    round-robin over the hourly curves that have prices, each curve starting at
    2025-01-01 00:00 and running hourly (in 2025 for the default size; larger sizes
    run on past 2025). A small fixed number of monthly and dirt rows (about 150) is
    added on top, independent of price_rows. shape says how the bulk rows' ids run:
    'interleaved' (default) deals them hour by hour across the curves, as a feed that
    writes every curve each hour; 'per_curve' gives each curve one consecutive block of
    ids, as a load that writes one long curve after another (the benchmark's second
    shape).

    The whole build is one transaction: on any error nothing is left behind.
    Without replace it refuses to touch a schema that already has curve_definitions;
    with replace=true the schema is dropped (cascade) and rebuilt.

    Shape of the clean data (curve_id = k + 1, k = 0..71):
        market    = CAISO, ERCOT, SPP, ISO-NE, PJM, NYISO cycling on k % 6
        location  = 18 names, k % 18 (each location belongs to one market)
        mark_type = Energy Arb, AS, TB2, DA, RT on (k / 18 + k) % 5, so that
                    market/mark_type/location is unique before the dirt below
        mark_case = Base, Low, P50 on (k / 6) % 3
        granularity = MONTHLY for curves 9, 18, 27, 36, 45, 54, 63 (12 monthly
                    '$/kW-mo' price rows each), HOURLY for the rest

    Deliberate dirt (the migration must cope with every item):
    curve_definitions
        - NULL market: curve 12
        - NULL location: curve 14
        - NULL mark_type: curve 16
        - duplicate derived name upper(market || '_' || mark_type || '_' || location),
          spaces as underscores:
            group of three: curves 5, 23, 41 (PJM / RT / WESTERN HUB; mark_case Base, Low, P50)
            group of two:   curves 1, 19 (CAISO / Energy Arb / Hidden Lakes; mark_case Base, P50)
            group of two:   curves 10, 28 differing only in case and spaces
                            (ISO-NE / RT / O'Brien Substation vs ISO-NE / rt / o'brien_substation)
            a derived name that is another's suffixed form: curves 25 and 61 are
                            CAISO / DA / SP15, curve 43 is CAISO / DA / SP15 V2
        - an empty-string market: curve 30
        - unicode, a dash and stray whitespace in a location: curve 53 ' Dominion  Hub — Süd '
        - every varchar and timestamp column NULL (including created_at), only curve_id set:
          curves 71, 72
        - no price rows at all: curves 33, 46, 59, 66, 70, 71, 72
        - microsecond fractions: mark_date on curves with k % 4 = 1, created_at on k % 3 = 0
        - locations with spaces and quotes: Hidden Lakes, O'Brien Substation, "North" Hub
    price_forecasts
        - NULL curve_id: 24 orphan rows (location Hidden Lakes, 2025-07-01 hours 0..23)
        - NULL flow_date_start: 3 rows of curve 6
        - NULL value: curve 4, 2025-01-01 05:00..07:00 (3 rows)
        - two forecast runs over the SAME hours: curve 2, 2025-01-01 hours 0..23 also exist
          with a second mark_date 7 days before the curve's own (24 rows)
        - same run, same hour, two value_types: curve 7 (value_type Price), 2025-01-01
          hours 0..23 also exist as value_type Revenue (24 rows)
        - NULL mark_date although the curve's mark_date is set: curve 8, hours 0..5 (6 rows)
        - NULL granularity: curve 13, hours 0..3 (4 rows)
        - denormalised copies disagreeing with the curve, hours 0..5 (6 rows each):
            curve 15 location 'TULSA JCT' (curve: Tulsa Junction),
            curve 17 mark_case 'Base' (curve: P50),
            curve 20 curve_creator 'Sample Legacy Desk',
            curve 21 value_type 'PRICE' (curve: Price)
        - units '$/kW-mo' on the 84 monthly rows, '$/MWh' everywhere else
        - values that are not ordinary numbers: curve 11, hours 10..13 are NaN, Infinity,
          -Infinity and -0
        - ids out of order: two rows of curve 11 with ids -7 and 0 (hand-inserted), at
          2024-06-01 00:00 and 01:00, before every other row of the curve
    curve_schedule (schedule_id 1..40, schedule n on curve n for n <= 38)
        - update_frequency spellings: DAILY, daily, Weekly, Annually, 'monthly ' (trailing
          space), Quarterly cycling; schedule 13 'every other blue moon'
        - curve 3: two schedules, 3 active and 39 inactive (older)
        - curve 4: two ACTIVE schedules, 4 and 40, different created_at
        - is_active NULL: schedules 7, 14, 21, 28, 35
        - next_update_due NULL when schedule_id % 3 = 0, last_successful_update NULL
          when % 4 = 0, updated_at NULL when % 5 = 0
#}
{% macro create_sample_legacy_database(price_rows=20000, replace=false, shape='interleaved') %}

    {%- set legacy_schema = var('legacy_schema', 'Forecasts') -%}
    {%- set schema = adapter.quote(legacy_schema) -%}
    {%- set schema_literal = legacy_schema | replace("'", "''") -%}
    {%- set schema_literal_quoted = schema | replace("'", "''") -%}
    {%- set sample_label = 'SAMPLE DATA generated by forecast_migration create_sample_legacy_database; not production data' -%}
    {%- set bulk_rows = price_rows | int -%}
    {%- set do_replace = replace if replace is boolean else ((replace | string | lower) in ['true', 'yes', '1']) -%}
    {%- set no_price_curves = '33, 46, 59, 66, 70, 71, 72' -%}

    {%- if bulk_rows < 2000 -%}
        {{ exceptions.raise_compiler_error("create_sample_legacy_database: price_rows must be at least 2000 (got " ~ price_rows ~ ") so every curve with prices gets the hours the dirt rows need") }}
    {%- endif -%}

    {%- set existing = run_query(
        "select count(*) as found from pg_catalog.pg_class as rel join pg_catalog.pg_namespace as nsp on nsp.oid = rel.relnamespace where nsp.nspname = '" ~ schema_literal ~ "' and rel.relname = 'curve_definitions'"
    ) -%}
    {%- set already_there = (existing.columns[0].values()[0] | int) > 0 -%}

    {%- if already_there and not do_replace -%}
        {{ exceptions.raise_compiler_error("create_sample_legacy_database: schema " ~ schema ~ " already has curve_definitions; pass replace: true to drop and rebuild it") }}
    {%- endif -%}

    {% call statement('sample', fetch_result=False) %}

        {% if do_replace %}
        drop schema if exists {{ schema }} cascade;
        {% endif %}

        create schema if not exists {{ schema }};
        comment on schema {{ schema }} is '{{ sample_label }}';

        create type {{ schema }}.granularity as enum ('HOURLY', 'DAILY', 'MONTHLY', 'ANNUAL');
        comment on type {{ schema }}.granularity is '{{ sample_label }}';

        create table {{ schema }}.curve_definitions (
            curve_id serial primary key,
            mark_type varchar,
            mark_case varchar,
            mark_date timestamp(6),
            location varchar,
            market varchar,
            curve_creator varchar,
            mark_fundamentals_desc varchar,
            mark_model_type_desc varchar,
            mark_dispatch_optimization_desc varchar,
            gridstor_purpose varchar,
            value_type varchar,
            created_at timestamp(6) default now(),
            curve_start_date timestamp(6),
            curve_end_date timestamp(6),
            granularity varchar
        );
        comment on table {{ schema }}.curve_definitions is '{{ sample_label }}';

        -- primary and foreign keys are added after the bulk load (much faster than row by row)
        create table {{ schema }}.price_forecasts (
            id serial,
            curve_id int,
            flow_date_start timestamp(6),
            granularity {{ schema }}.granularity,
            value double precision,
            units varchar,
            location varchar,
            mark_case varchar,
            curve_creator varchar,
            value_type varchar,
            mark_date timestamp(6)
        );
        comment on table {{ schema }}.price_forecasts is '{{ sample_label }}';

        create table {{ schema }}.curve_schedule (
            schedule_id serial primary key,
            curve_id int not null references {{ schema }}.curve_definitions (curve_id),
            update_frequency varchar(50) not null,
            next_update_due date,
            last_successful_update date,
            is_active boolean default true,
            created_at timestamptz,
            updated_at timestamptz
        );
        comment on table {{ schema }}.curve_schedule is '{{ sample_label }}';

        -- 72 clean curves (k = curve_id - 1)
        insert into {{ schema }}.curve_definitions (
            curve_id,
            mark_type,
            mark_case,
            mark_date,
            location,
            market,
            curve_creator,
            mark_fundamentals_desc,
            mark_model_type_desc,
            mark_dispatch_optimization_desc,
            gridstor_purpose,
            value_type,
            created_at,
            curve_start_date,
            curve_end_date,
            granularity
        )
        select
            series.curve_index + 1 as curve_id,
            picked.mark_type as mark_type,
            (array['Base', 'Low', 'P50'])[(series.curve_index / 6) % 3 + 1] as mark_case,
            timestamp '2024-01-15 07:00:00'
                + series.curve_index * interval '9 days 7 hours'
                + case when series.curve_index % 4 = 1 then ((series.curve_index * 7919) % 1000000) * interval '1 microsecond' else interval '0' end
                as mark_date,
            (array[
                'Hidden Lakes', 'HB_HOUSTON', 'SPPNORTH_HUB', '.H.INTERNAL_HUB', 'WESTERN HUB', 'N.Y.C.',
                'SP15', 'HB_WEST', 'SPPSOUTH_HUB', 'O''Brien Substation', '"North" Hub', 'Zone J',
                'NP15', 'Bear Creek Storage', 'Tulsa Junction', 'Mystic 345kV', 'Dominion Hub', 'Hudson Valley'
            ])[series.curve_index % 18 + 1] as location,
            (array['CAISO', 'ERCOT', 'SPP', 'ISO-NE', 'PJM', 'NYISO'])[series.curve_index % 6 + 1] as market,
            (array[
                'Sample Northwind Analytics', 'Sample Meridian Power Research', 'Sample Gridline Advisors',
                'Sample Keystone Forecasting', 'Sample Internal Desk'
            ])[(series.curve_index * 7) % 5 + 1] as curve_creator,
            (array[
                'Sample fundamentals: base gas, base load', 'Sample fundamentals: high gas',
                'Sample fundamentals: low renewables build', 'Sample fundamentals: consensus'
            ])[series.curve_index % 4 + 1] as mark_fundamentals_desc,
            (array['Production cost model', 'Price-taker LP', 'Stochastic dispatch'])[(series.curve_index / 2) % 3 + 1] as mark_model_type_desc,
            (array['Perfect foresight', 'Rolling 48h horizon', 'Day-ahead bid only'])[(series.curve_index / 3) % 3 + 1] as mark_dispatch_optimization_desc,
            (array['Budget', 'Investment committee', 'Hedging', 'Operations'])[(series.curve_index / 5) % 4 + 1] as gridstor_purpose,
            case when picked.mark_type in ('Energy Arb', 'TB2') then 'Revenue' else 'Price' end as value_type,
            timestamp '2024-01-15 09:13:00'
                + series.curve_index * interval '9 days 7 hours'
                + case when series.curve_index % 3 = 0 then ((series.curve_index * 104729) % 1000000) * interval '1 microsecond' else interval '0' end
                as created_at,
            timestamp '2025-01-01 00:00:00' as curve_start_date,
            timestamp '2025-01-01 00:00:00' + (1 + series.curve_index % 5) * interval '1 year' - interval '1 hour' as curve_end_date,
            case when series.curve_index % 9 = 8 then 'MONTHLY' else 'HOURLY' end as granularity
        from generate_series(0, 71) as series (curve_index)
        cross join lateral (
            select (array['Energy Arb', 'AS', 'TB2', 'DA', 'RT'])[(series.curve_index / 18 + series.curve_index) % 5 + 1] as mark_type
        ) as picked;

        -- dirt: duplicate derived names (see the comment block at the top of the macro)
        update {{ schema }}.curve_definitions set mark_type = 'Energy Arb', mark_case = 'P50', value_type = 'Revenue' where curve_id = 19;
        update {{ schema }}.curve_definitions set mark_type = 'RT', mark_case = 'Base', value_type = 'Price' where curve_id = 5;
        update {{ schema }}.curve_definitions set mark_type = 'RT', mark_case = 'Low', value_type = 'Price' where curve_id = 23;
        update {{ schema }}.curve_definitions set mark_type = 'RT', mark_case = 'P50', value_type = 'Price' where curve_id = 41;
        update {{ schema }}.curve_definitions set mark_type = 'rt', location = 'o''brien_substation', value_type = 'Price' where curve_id = 28;

        update {{ schema }}.curve_definitions set mark_type = 'DA', value_type = 'Price' where curve_id = 25;
        update {{ schema }}.curve_definitions set mark_type = 'DA', location = 'SP15 V2', value_type = 'Price' where curve_id = 43;
        update {{ schema }}.curve_definitions set market = '' where curve_id = 30;
        update {{ schema }}.curve_definitions set location = ' Dominion  Hub — Süd ' where curve_id = 53;

        -- dirt: missing name parts
        update {{ schema }}.curve_definitions set market = null where curve_id = 12;
        update {{ schema }}.curve_definitions set location = null where curve_id = 14;
        update {{ schema }}.curve_definitions set mark_type = null where curve_id = 16;

        -- dirt: only curve_id set
        update {{ schema }}.curve_definitions
        set
            mark_type = null,
            mark_case = null,
            mark_date = null,
            location = null,
            market = null,
            curve_creator = null,
            mark_fundamentals_desc = null,
            mark_model_type_desc = null,
            mark_dispatch_optimization_desc = null,
            gridstor_purpose = null,
            value_type = null,
            created_at = null,
            curve_start_date = null,
            curve_end_date = null,
            granularity = null
        where curve_id in (71, 72);

        -- bulk hourly prices: exactly {{ bulk_rows }} rows dealt round-robin over the hourly curves with prices;
        -- curve slot s gets hours h = 0, 1, ... while h * n + s < {{ bulk_rows }}, and id = h * n + s + 1
        insert into {{ schema }}.price_forecasts (
            id,
            curve_id,
            flow_date_start,
            granularity,
            value,
            units,
            location,
            mark_case,
            curve_creator,
            value_type,
            mark_date
        )
        with price_curves as (
            select
                cd.curve_id as curve_id,
                cd.location as location,
                cd.mark_case as mark_case,
                cd.curve_creator as curve_creator,
                cd.value_type as value_type,
                cd.mark_date as mark_date,
                (row_number() over (order by cd.curve_id) - 1)::int as slot,
                (count(*) over ())::int as curve_count
            from {{ schema }}.curve_definitions as cd
            where cd.granularity = 'HOURLY'
                and cd.curve_id not in ({{ no_price_curves }})
        ),
        per_curve as (
            -- the hours of each curve, and (shape per_curve) where its block of ids starts
            select
                price_curves.*,
                ({{ bulk_rows }} - 1 - price_curves.slot) / price_curves.curve_count + 1 as curve_rows,
                coalesce(sum(({{ bulk_rows }} - 1 - price_curves.slot) / price_curves.curve_count + 1) over (
                    order by price_curves.slot rows between unbounded preceding and 1 preceding
                ), 0)::bigint as first_id
            from price_curves
        )
        select
            {% if shape == 'per_curve' -%}
                pc.first_id + hours.hour_offset + 1 as id,
            {%- else -%}
                hours.hour_offset * pc.curve_count + pc.slot + 1 as id,
            {%- endif %}
            pc.curve_id as curve_id,
            timestamp '2025-01-01 00:00:00' + hours.hour_offset * interval '1 hour' as flow_date_start,
            case when pc.curve_id = 13 and hours.hour_offset < 4 then null else 'HOURLY'::{{ schema }}.granularity end as granularity,
            case
                when pc.curve_id = 4 and hours.hour_offset between 5 and 7 then null
                -- base level per curve + daily shape + seasonal shape + hash noise, to 4 decimals
                -- (rounded in double precision: round(numeric, 4) made the 2M-row load about 20% slower)
                else round((
                    22 + (pc.curve_id * 37) % 41
                    + 14 * sin(2 * pi() * ((hours.hour_offset % 24) - 9)::double precision / 24)
                    + 6 * cos(2 * pi() * hours.hour_offset::double precision / 8766)
                    + 9 * (((hours.hour_offset::bigint * 2654435761 + pc.curve_id * 40503) % 10007)::double precision / 10007 - 0.5)
                ) * 10000) / 10000
            end as value,
            '$/MWh' as units,
            case when pc.curve_id = 15 and hours.hour_offset < 6 then 'TULSA JCT' else pc.location end as location,
            case when pc.curve_id = 17 and hours.hour_offset < 6 then 'Base' else pc.mark_case end as mark_case,
            case when pc.curve_id = 20 and hours.hour_offset < 6 then 'Sample Legacy Desk' else pc.curve_creator end as curve_creator,
            case when pc.curve_id = 21 and hours.hour_offset < 6 then 'PRICE' else pc.value_type end as value_type,
            case when pc.curve_id = 8 and hours.hour_offset < 6 then null else pc.mark_date end as mark_date
        from per_curve as pc
        cross join lateral generate_series(0, pc.curve_rows - 1) as hours (hour_offset);

        alter table {{ schema }}.price_forecasts add constraint price_forecasts_pkey primary key (id);

        -- dirt: values that are not ordinary numbers, and ids out of order
        update {{ schema }}.price_forecasts
        set value = case flow_date_start
            when timestamp '2025-01-01 10:00:00' then 'NaN'::double precision
            when timestamp '2025-01-01 11:00:00' then 'Infinity'::double precision
            when timestamp '2025-01-01 12:00:00' then '-Infinity'::double precision
            else '-0'::double precision
        end
        where curve_id = 11 and flow_date_start between timestamp '2025-01-01 10:00:00' and timestamp '2025-01-01 13:00:00';
        insert into {{ schema }}.price_forecasts (
            id, curve_id, flow_date_start, granularity, value, units, location, mark_case, curve_creator, value_type, mark_date
        )
        select
            ids.id,
            cd.curve_id,
            ids.flow_date_start,
            'HOURLY'::{{ schema }}.granularity,
            ids.value,
            '$/MWh',
            cd.location,
            cd.mark_case,
            cd.curve_creator,
            cd.value_type,
            cd.mark_date
        from {{ schema }}.curve_definitions as cd
        cross join (
            values
                (-7, timestamp '2024-06-01 00:00:00', 31.5::double precision),
                (0, timestamp '2024-06-01 01:00:00', 32.25::double precision)
        ) as ids (id, flow_date_start, value)
        where cd.curve_id = 11;

        -- monthly capacity prices: 12 rows per monthly curve with prices
        insert into {{ schema }}.price_forecasts (
            id,
            curve_id,
            flow_date_start,
            granularity,
            value,
            units,
            location,
            mark_case,
            curve_creator,
            value_type,
            mark_date
        )
        select
            (select coalesce(max(pf.id), 0) from {{ schema }}.price_forecasts as pf)
                + row_number() over (order by cd.curve_id, months.month_offset) as id,
            cd.curve_id as curve_id,
            timestamp '2025-01-01 00:00:00' + months.month_offset * interval '1 month' as flow_date_start,
            'MONTHLY'::{{ schema }}.granularity as granularity,
            round((3.5 + (cd.curve_id % 7) * 0.85 + 1.25 * cos(2 * pi() * (months.month_offset - 7)::double precision / 12))::numeric, 4)::double precision as value,
            '$/kW-mo' as units,
            cd.location as location,
            cd.mark_case as mark_case,
            cd.curve_creator as curve_creator,
            cd.value_type as value_type,
            cd.mark_date as mark_date
        from {{ schema }}.curve_definitions as cd
        cross join generate_series(0, 11) as months (month_offset)
        where cd.granularity = 'MONTHLY'
            and cd.curve_id not in ({{ no_price_curves }});

        -- dirt: 24 orphan rows without curve_id
        insert into {{ schema }}.price_forecasts (
            id,
            curve_id,
            flow_date_start,
            granularity,
            value,
            units,
            location,
            mark_case,
            curve_creator,
            value_type,
            mark_date
        )
        select
            (select max(pf.id) from {{ schema }}.price_forecasts as pf) + hours.hour_offset + 1 as id,
            null as curve_id,
            timestamp '2025-07-01 00:00:00' + hours.hour_offset * interval '1 hour' as flow_date_start,
            'HOURLY'::{{ schema }}.granularity as granularity,
            round((41.5 + 17 * sin(2 * pi() * (hours.hour_offset - 9)::double precision / 24))::numeric, 4)::double precision as value,
            '$/MWh' as units,
            'Hidden Lakes' as location,
            'Base' as mark_case,
            'Sample Northwind Analytics' as curve_creator,
            'Revenue' as value_type,
            timestamp '2024-03-11 06:00:00' as mark_date
        from generate_series(0, 23) as hours (hour_offset);

        -- dirt: 3 rows of curve 6 without flow_date_start
        insert into {{ schema }}.price_forecasts (
            id,
            curve_id,
            flow_date_start,
            granularity,
            value,
            units,
            location,
            mark_case,
            curve_creator,
            value_type,
            mark_date
        )
        select
            (select max(pf.id) from {{ schema }}.price_forecasts as pf) + extra.row_offset as id,
            cd.curve_id as curve_id,
            null as flow_date_start,
            'HOURLY'::{{ schema }}.granularity as granularity,
            30.125 + extra.row_offset * 1.5 as value,
            '$/MWh' as units,
            cd.location as location,
            cd.mark_case as mark_case,
            cd.curve_creator as curve_creator,
            cd.value_type as value_type,
            cd.mark_date as mark_date
        from {{ schema }}.curve_definitions as cd
        cross join generate_series(1, 3) as extra (row_offset)
        where cd.curve_id = 6;

        -- dirt: curve 2 gets a second, older forecast run over the same first 24 hours, and
        -- curve 7 gets the same run and hours again as value_type Revenue. The first 24 hours of
        -- every curve are bulk ids <= 24 * 72, so the pkey index keeps these lookups small.
        insert into {{ schema }}.price_forecasts (
            id,
            curve_id,
            flow_date_start,
            granularity,
            value,
            units,
            location,
            mark_case,
            curve_creator,
            value_type,
            mark_date
        )
        select
            (select max(pf2.id) from {{ schema }}.price_forecasts as pf2)
                + row_number() over (order by pf.curve_id, pf.flow_date_start) as id,
            pf.curve_id as curve_id,
            pf.flow_date_start as flow_date_start,
            pf.granularity as granularity,
            case
                when pf.curve_id = 2 then round((pf.value * 0.97 + 0.75)::numeric, 4)::double precision
                else round((pf.value * 1.15 + 2.5)::numeric, 4)::double precision
            end as value,
            pf.units as units,
            pf.location as location,
            pf.mark_case as mark_case,
            pf.curve_creator as curve_creator,
            case when pf.curve_id = 2 then pf.value_type else 'Revenue' end as value_type,
            case when pf.curve_id = 2 then pf.mark_date - interval '7 days' else pf.mark_date end as mark_date
        from {{ schema }}.price_forecasts as pf
        where {{ 'true' if shape == 'per_curve' else 'pf.id <= 24 * 72' }}
            and pf.curve_id in (2, 7)
            and pf.flow_date_start < timestamp '2025-01-02 00:00:00';

        alter table {{ schema }}.price_forecasts
            add constraint price_forecasts_curve_id_fkey
            foreign key (curve_id) references {{ schema }}.curve_definitions (curve_id);

        -- schedules: schedule n on curve n, plus 39 (curve 3, inactive) and 40 (curve 4, second active)
        insert into {{ schema }}.curve_schedule (
            schedule_id,
            curve_id,
            update_frequency,
            next_update_due,
            last_successful_update,
            is_active,
            created_at,
            updated_at
        )
        select
            series.schedule_number as schedule_id,
            case series.schedule_number when 39 then 3 when 40 then 4 else series.schedule_number end as curve_id,
            case
                when series.schedule_number = 13 then 'every other blue moon'
                else (array['DAILY', 'daily', 'Weekly', 'Annually', 'monthly ', 'Quarterly'])[(series.schedule_number - 1) % 6 + 1]
            end as update_frequency,
            case when series.schedule_number % 3 <> 0 then date '2025-01-06' + (series.schedule_number * 11) % 300 end as next_update_due,
            case when series.schedule_number % 4 <> 0 then date '2024-11-01' + (series.schedule_number * 7) % 200 end as last_successful_update,
            case when series.schedule_number = 39 then false when series.schedule_number % 7 = 0 then null else true end as is_active,
            created.created_at as created_at,
            case when series.schedule_number % 5 <> 0 then created.created_at + (series.schedule_number % 9 + 1) * interval '13 days 2 hours' end as updated_at
        from generate_series(1, 40) as series (schedule_number)
        cross join lateral (
            select
                case
                    when series.schedule_number = 39 then timestamptz '2024-01-10 08:00:00+00'
                    else timestamptz '2024-02-01 09:00:00+00' + series.schedule_number * interval '5 days 3 hours 17 minutes'
                end as created_at
        ) as created;

        -- later inserts without an explicit id must not collide
        select setval(pg_get_serial_sequence('{{ schema_literal_quoted }}.curve_definitions', 'curve_id'), (select max(curve_id) from {{ schema }}.curve_definitions));
        select setval(pg_get_serial_sequence('{{ schema_literal_quoted }}.price_forecasts', 'id'), (select max(id) from {{ schema }}.price_forecasts));
        select setval(pg_get_serial_sequence('{{ schema_literal_quoted }}.curve_schedule', 'schedule_id'), (select max(schedule_id) from {{ schema }}.curve_schedule));

        analyze {{ schema }}.curve_definitions;
        analyze {{ schema }}.price_forecasts;
        analyze {{ schema }}.curve_schedule;

    {% endcall %}

    {%- set counts = run_query(
        "select (select count(*) from " ~ schema ~ ".curve_definitions) as curves, (select count(*) from " ~ schema ~ ".price_forecasts) as prices, (select count(*) from " ~ schema ~ ".curve_schedule) as schedules"
    ) -%}
    {% do adapter.commit() %}

    {{ log(
        "create_sample_legacy_database: " ~ ("rebuilt " if already_there else "created ") ~ schema
        ~ " with SAMPLE DATA: " ~ counts.columns[0].values()[0] ~ " curve_definitions, "
        ~ counts.columns[1].values()[0] ~ " price_forecasts (" ~ bulk_rows ~ " bulk hourly + fixed monthly/dirt rows), "
        ~ counts.columns[2].values()[0] ~ " curve_schedule",
        info=True
    ) }}

{% endmacro %}
