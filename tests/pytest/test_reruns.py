"""Re-runs: no change means no write; late legacy rows are carried over; rows the
application wrote survive every re-run and --full-refresh; legacy ids never overwrite
application rows."""

from __future__ import annotations

import datetime

import pytest
from conftest import LEGACY_APP_ROLE
from helpers import TARGET_TABLES, catalog_snapshot, target_snapshot


@pytest.mark.every_version
def test_a_second_build_with_no_legacy_change_rewrites_nothing(migrated_db):
    before_rows = target_snapshot(migrated_db)
    before_catalog = catalog_snapshot(migrated_db)
    assert sum(len(rows) for rows in before_rows.values()) > 20000
    migrated_db.build()
    assert target_snapshot(migrated_db) == before_rows
    assert catalog_snapshot(migrated_db) == before_catalog


def test_a_full_refresh_is_refused_by_every_target_table(migrated_db):
    before_rows = target_snapshot(migrated_db)
    before_catalog = catalog_snapshot(migrated_db)
    migrated_db.build("--full-refresh")
    assert target_snapshot(migrated_db) == before_rows
    assert catalog_snapshot(migrated_db) == before_catalog


def test_late_legacy_rows_are_carried_over_by_the_next_build(migrated_db):
    db = migrated_db
    curve_id, run_date, last_hour = db.query(
        'select curve_id, mark_date, max(flow_date_start) from "Forecasts".price_forecasts '
        "where curve_id is not null and mark_date is not null and value is not null "
        'and curve_id in (select curve_id from "Forecasts".price_forecasts group by curve_id '
        "having count(distinct mark_date) = 1 and count(distinct value_type) = 1 and count(mark_date) = count(*)) "
        "group by curve_id, mark_date order by curve_id limit 1"
    )[0]
    active_before = db.scalar(
        "select id from \"CurveInstance\" where curve_definition_id = %s and status = 'ACTIVE' "
        'and "forecastRunDate" = %s',
        (curve_id, run_date),
    )
    # the old application keeps writing: one more hour of the same run, and a new run
    db.execute(
        'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value, units, value_type, mark_date) '
        "select curve_id, flow_date_start + interval '1 hour', 42.5, units, value_type, mark_date "
        'from "Forecasts".price_forecasts where curve_id = %s and mark_date = %s and flow_date_start = %s',
        (curve_id, run_date, last_hour),
    )
    db.execute(
        'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value, units, value_type, mark_date) '
        "select curve_id, flow_date_start, value + 1, units, value_type, mark_date + interval '30 days' "
        'from "Forecasts".price_forecasts where curve_id = %s and mark_date = %s',
        (curve_id, run_date),
    )
    new_ids = [
        row[0]
        for row in db.query(
            'select id from "Forecasts".price_forecasts as legacy where not exists '
            '(select 1 from "PriceForecast" as migrated where migrated.id = legacy.id) and legacy.curve_id = %s',
            (curve_id,),
        )
    ]
    assert len(new_ids) > 2
    db.build()
    carried = db.query(
        'select migrated.id, migrated."timestamp", migrated.value from "PriceForecast" as migrated where migrated.id = any(%s) order by 1',
        (new_ids,),
    )
    legacy = db.query(
        'select id, flow_date_start, value from "Forecasts".price_forecasts where id = any(%s) order by 1',
        (new_ids,),
    )
    assert carried == legacy
    old = db.query(
        'select status::text, "freshnessEndDate", "deliveryPeriodEnd" from "CurveInstance" where id = %s',
        (active_before,),
    )[0]
    new = db.query(
        'select status::text, "freshnessEndDate", "forecastRunDate" from "CurveInstance" '
        'where curve_definition_id = %s and "forecastRunDate" > %s',
        (curve_id, run_date),
    )
    assert len(new) == 1 and new[0][0] == "ACTIVE" and new[0][1] is None
    assert old == ("SUPERSEDED", new[0][2], last_hour + datetime.timedelta(hours=1))
    # and the build after that writes nothing
    before = target_snapshot(db)
    db.build()
    assert target_snapshot(db) == before


def test_a_late_legacy_curve_is_carried_over(migrated_db):
    db = migrated_db
    db.execute(
        'insert into "Forecasts".curve_definitions (mark_type, mark_case, market, location, granularity) '
        "values ('DA', 'Base', 'CAISO', 'Late Node', 'HOURLY')"
    )
    new_id = db.scalar('select max(curve_id) from "Forecasts".curve_definitions')
    db.build(vars={"expected_curve_count": 73})
    assert (
        db.scalar('select "curveName" from "CurveDefinition" where id = %s', (new_id,))
        == "CAISO_DA_LATE_NODE"
    )
    assert (
        db.scalar('select count(*) from "LegacyCurveMapping" where "oldCurveId" = %s', (new_id,))
        == 1
    )
    assert (
        db.scalar('select count(*) from "CurveSchedule" where curve_definition_id = %s', (new_id,))
        == 1
    )
    assert (
        db.scalar("select count(*) from curve_definitions_compat where curve_id = %s", (new_id,))
        == 1
    )


def write_as_application(db) -> dict[str, int]:
    """Insert, as the application role and without ids, a new curve, and a new instance
    with prices and lineage on a migrated curve. Returns the new ids."""
    role = LEGACY_APP_ROLE
    curve_id = db.scalar(
        'insert into "CurveDefinition" ("curveName", market, location, product, commodity, units, granularity) '
        "values ('APP_CURVE', 'ERCOT', 'App Hub', 'DA', 'ENERGY', '$/MWh', 'HOURLY') returning id",
        role=role,
    )
    migrated_curve = db.scalar('select min(id) from "CurveDefinition" where id < %s', (curve_id,))
    instance_id = db.scalar(
        'insert into "CurveInstance" (curve_definition_id, "instanceVersion", "deliveryPeriodStart", '
        '"deliveryPeriodEnd", "forecastRunDate", "freshnessStartDate", "createdBy") '
        "values (%s, 99, '2030-01-01', '2030-01-02', now(), now(), 'app') returning id",
        (migrated_curve,),
        role=role,
    )
    price_id = db.scalar(
        'insert into "PriceForecast" (curve_instance_id, "timestamp", value) '
        "values (%s, '2030-01-01 00:00', 10), (%s, '2030-01-01 01:00', 11) returning id",
        (instance_id, instance_id),
        role=role,
    )
    lineage_id = db.scalar(
        'insert into "CurveInputLineage" (curve_instance_id, "inputType", "usageType") '
        "values (%s, 'WEATHER_FORECAST', 'PRIMARY') returning id",
        (instance_id,),
        role=role,
    )
    return {"curve": curve_id, "instance": instance_id, "price": price_id, "lineage": lineage_id}


def test_application_rows_survive_re_runs_and_full_refresh(migrated_db):
    db = migrated_db
    ids = write_as_application(db)
    assert ids["curve"] > db.scalar('select max(curve_id) from "Forecasts".curve_definitions')
    assert ids["price"] > db.scalar('select max(id) from "Forecasts".price_forecasts')
    snapshot = target_snapshot(db)
    catalog = catalog_snapshot(db)
    db.build()
    db.build("--full-refresh")
    assert target_snapshot(db) == snapshot
    assert catalog_snapshot(db) == catalog
    assert (
        db.scalar(
            'select count(*) from "PriceForecast" where curve_instance_id = %s', (ids["instance"],)
        )
        == 2
    )
    compat = db.query(
        "select market, location, mark_type from curve_definitions_compat where curve_id = %s",
        (ids["curve"],),
    )
    assert compat == [("ERCOT", "App Hub", "DA")]


def test_a_legacy_correction_of_a_row_the_application_changed_keeps_both(migrated_db):
    db = migrated_db
    price_id = db.scalar('select min(id) from "PriceForecast"')
    # the new application changes a migrated row, then the old one corrects its legacy row
    db.execute(
        'update "PriceForecast" set value = value + 100 where id = %s',
        (price_id,),
        role=LEGACY_APP_ROLE,
    )
    db.execute(
        'update "Forecasts".price_forecasts set value = value - 1 where id = %s', (price_id,)
    )
    app_value = db.scalar('select value from "PriceForecast" where id = %s', (price_id,))
    legacy_value = db.scalar(
        'select value from "Forecasts".price_forecasts where id = %s', (price_id,)
    )
    assert app_value != legacy_value
    db.build()
    assert db.scalar('select value from "PriceForecast" where id = %s', (price_id,)) == app_value
    listed = db.query(
        "select reason, (legacy_row ->> 'value')::float8, (application_row ->> 'value')::float8 "
        "from forecast_migration.migration_exceptions where source_table = 'price_forecasts' and source_id = %s",
        (price_id,),
    )
    assert len(listed) == 1
    reason, listed_legacy, listed_app = listed[0]
    assert reason.startswith(
        "corrected in the legacy table after the application changed the migrated row"
    )
    assert (listed_legacy, listed_app) == (legacy_value, app_value)
    # the old application reads its own correction back
    assert (
        db.scalar("select value from price_forecasts_compat where id = %s", (price_id,))
        == legacy_value
    )


def test_a_legacy_row_whose_id_the_application_took_is_listed_not_merged(sample_db):
    db = sample_db
    db.build(vars={"legacy_id_headroom": 0})
    ids = write_as_application(db)
    app_row = db.query('select * from "PriceForecast" where id = %s', (ids["price"],))
    # the legacy sequence catches up with the application's range during the transition
    curve_id, run_date = db.query(
        'select curve_id, mark_date from "Forecasts".price_forecasts where curve_id is not null '
        "and mark_date is not null limit 1"
    )[0]
    db.execute(
        'insert into "Forecasts".price_forecasts (id, curve_id, flow_date_start, value, mark_date) '
        "values (%s, %s, '2031-01-01', 1.0, %s)",
        (ids["price"], curve_id, run_date),
    )
    db.build(vars={"legacy_id_headroom": 0})
    assert db.query('select * from "PriceForecast" where id = %s', (ids["price"],)) == app_row
    reason = db.scalar(
        "select reason from forecast_migration.migration_exceptions "
        "where source_table = 'price_forecasts' and source_id = %s",
        (ids["price"],),
    )
    assert reason == "id is in the application id range of PriceForecast"


@pytest.mark.every_version
def test_the_application_can_insert_into_every_table_without_an_id(migrated_db):
    db = migrated_db
    ids = write_as_application(db)
    role = LEGACY_APP_ROLE
    schedule = db.scalar(
        "insert into \"CurveSchedule\" (curve_definition_id, frequency) values (%s, 'DAILY') returning id",
        (ids["curve"],),
        role=role,
    )
    statements = {
        "VersionHistory": ('insert into "VersionHistory" (curve_instance_id, "changeType") values (%s, \'INITIAL\')', (ids["instance"],)),
        "ScheduleRun": ('insert into "ScheduleRun" (schedule_id, "scheduledFor") values (%s, now())', (schedule,)),
        "QualityMetric": ('insert into "QualityMetric" (curve_instance_id, "metricType", "metricValue") values (%s, \'mape\', 1.5)', (ids["instance"],)),
        "DefaultCurveInput": ('insert into "DefaultCurveInput" (curve_definition_id, "inputType", "inputSource") values (%s, \'FUEL_PRICES\', \'x\')', (ids["curve"],)),
        "LegacyCurveMapping": ('insert into "LegacyCurveMapping" ("oldCurveId", "newCurveDefinitionId") values (-1, %s)', (ids["curve"],)),
    }  # fmt: skip
    for sql, params in statements.values():
        db.execute(sql, params, role=role)
    counts = {
        table: db.scalar(f'select count(*) from "{table}"', role=role) for table in TARGET_TABLES
    }
    assert all(count > 0 for count in counts.values()), counts
    # an application row of a migrated table got an id above every legacy id
    mapping_id = db.scalar('select id from "LegacyCurveMapping" where "oldCurveId" = -1')
    assert mapping_id > db.scalar('select max(curve_id) from "Forecasts".curve_definitions')
    # and the role can still do all of that after a re-run
    db.build()
    assert db.scalar("select count(*) from curve_definitions_compat", role=role) == 73
    assert db.scalar('select count(*) from "LegacyCurveMapping"', role=role) == 73
