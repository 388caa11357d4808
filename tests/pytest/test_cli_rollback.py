"""forecast-migrate rollback: back to exactly the never-migrated state, refusing to lose
rows the application wrote, restoring damaged legacy tables from the backup."""

from __future__ import annotations

import csv
import re

import pytest
from cli_helpers import (
    assert_one_line_error,
    backup_schemas,
    legacy_state,
    project_state,
    run_log_rows,
    schemas,
)
from conftest import LEGACY_APP_ROLE
from helpers import ENUM_TYPES, TARGET_TABLES, legacy_checksums


def test_rollback_of_a_never_migrated_database_refuses_and_changes_nothing(cli, cli_sample_db):
    before = (schemas(cli_sample_db), project_state(cli_sample_db), legacy_state(cli_sample_db))
    result = cli(cli_sample_db, "rollback", "--yes")
    assert_one_line_error(result, 1, "nothing to roll back", "Nothing changed")
    assert (
        schemas(cli_sample_db),
        project_state(cli_sample_db),
        legacy_state(cli_sample_db),
    ) == before


@pytest.mark.every_version
def test_rollback_returns_to_the_never_migrated_state(cli, cli_migrated_db, never_migrated_state):
    db = cli_migrated_db
    (backup,) = backup_schemas(db)
    result = cli(db, "rollback", "--yes")
    assert result.code == 0, result.err
    assert "Application rows in the new tables: none" in result.out
    assert re.search(r"price_forecasts: 20161 rows, checksum \w+ matches", result.out)
    assert f"Rolled back; legacy tables match backup {backup}; run log #2" in result.out
    assert project_state(db) == never_migrated_state[0]
    assert legacy_state(db) == never_migrated_state[1]
    # the backups and the run log's history stay
    assert backup_schemas(db) == [backup]
    assert [row[1:3] for row in run_log_rows(db)] == [("migrate", "ok"), ("rollback", "ok")]
    again = cli(db, "rollback", "--yes")
    assert_one_line_error(again, 1, "nothing to roll back")


def test_print_sql_shows_the_statements_and_runs_nothing(cli, cli_migrated_db):
    db = cli_migrated_db
    before = (project_state(db), run_log_rows(db))
    result = cli(db, "rollback", "--print-sql")
    assert result.code == 0, result.err
    (drop_tables,) = [line for line in result.out.splitlines() if line.startswith("drop table")]
    assert all(f'"public"."{table}"' in drop_tables for table in TARGET_TABLES)
    (drop_types,) = [line for line in result.out.splitlines() if line.startswith("drop type")]
    assert all(f'"public"."{name}"' in drop_types for name in ENUM_TYPES)
    assert 'drop view "public"."curve_definitions_compat"' in result.out
    assert (project_state(db), run_log_rows(db)) == before


def write_application_rows(db) -> dict[str, list[int]]:
    """Rows the application writes after the migration (as its own role, ids from the
    identity sequences); returns the ids per table."""
    curve = db.scalar(
        'insert into "CurveDefinition" ("curveName", market, location, product, commodity, '
        "units, granularity) values ('APP_CAISO_DA_NEW', 'CAISO', 'New \"Node\"', 'DA', "
        "'power', '$/MWh', 'HOURLY') returning id",
        role=LEGACY_APP_ROLE,
    )
    instance = db.scalar(
        'insert into "CurveInstance" (curve_definition_id, "instanceVersion", '
        '"deliveryPeriodStart", "deliveryPeriodEnd", "forecastRunDate", "freshnessStartDate", '
        "\"createdBy\") values (%s, 1, now(), now(), now(), now(), 'app') returning id",
        (curve,),
        role=LEGACY_APP_ROLE,
    )
    on_new_instance = [
        row[0]
        for row in db.query(
            'insert into "PriceForecast" (curve_instance_id, "timestamp", value) '
            "select %s, timestamp '2026-01-01' + hours * interval '1 hour', hours * 1.5 "
            "from generate_series(0, 23) as hours returning id",
            (instance,),
            role=LEGACY_APP_ROLE,
        )
    ]
    on_legacy_instance = db.scalar(
        'insert into "PriceForecast" (curve_instance_id, "timestamp", value) '
        "select min(id), timestamp '2030-01-01', 1 from \"CurveInstance\" "
        "where metadata ->> 'source' = 'forecast_migration' returning id",
        role=LEGACY_APP_ROLE,
    )
    history = db.scalar(
        'insert into "VersionHistory" (curve_instance_id, "changeType", "changeReason") '
        "values (%s, 'INITIAL', 'created, with a comma') returning id",
        (instance,),
        role=LEGACY_APP_ROLE,
    )
    return {
        "CurveDefinition": [curve],
        "CurveInstance": [instance],
        "PriceForecast": sorted([*on_new_instance, on_legacy_instance]),
        "VersionHistory": [history],
    }


def test_rollback_refuses_while_the_application_has_written_rows(cli, cli_migrated_db):
    db = cli_migrated_db
    write_application_rows(db)
    before = (schemas(db), project_state(db), legacy_state(db), run_log_rows(db))
    result = cli(db, "rollback", "--yes")
    assert_one_line_error(
        result, 1, "rollback refused", "CurveDefinition 1", "PriceForecast 25", "Nothing changed"
    )
    assert (schemas(db), project_state(db), legacy_state(db), run_log_rows(db)) == before


def test_rollback_export_saves_every_application_row_then_rolls_back(
    cli, cli_migrated_db, never_migrated_state, tmp_path
):
    db = cli_migrated_db
    written = write_application_rows(db)
    expected = {
        table: db.query(f'select * from "{table}" where id = any(%s) order by id', (ids,))
        for table, ids in written.items()
    }
    result = cli(db, "rollback", "--yes", "--export", str(tmp_path / "saved"))
    assert result.code == 0, result.err
    files = sorted(path.name for path in (tmp_path / "saved").iterdir())
    assert files == sorted(f"{table}.csv" for table in written)
    for table, rows in expected.items():
        with open(tmp_path / "saved" / f"{table}.csv", newline="") as handle:
            saved = list(csv.DictReader(handle))
        assert [int(row["id"]) for row in saved] == written[table]
        assert len(saved) == len(rows)
    with open(tmp_path / "saved" / "VersionHistory.csv", newline="") as handle:
        assert next(csv.DictReader(handle))["changeReason"] == "created, with a comma"
    assert project_state(db) == never_migrated_state[0]
    assert run_log_rows(db)[-1][5]["application_rows"]["PriceForecast"] == 25


def test_rollback_force_drops_the_application_rows(cli, cli_migrated_db, never_migrated_state):
    db = cli_migrated_db
    write_application_rows(db)
    result = cli(db, "rollback", "--yes", "--force")
    assert result.code == 0, result.err
    assert "Application rows in the new tables: CurveDefinition 1" in result.out
    assert project_state(db) == never_migrated_state[0]


def damage_legacy_tables(db) -> None:
    """Changes to every legacy table after the backup, including a curve that other legacy
    tables reference."""
    db.execute("update \"Forecasts\".curve_definitions set market = 'XXX' where curve_id = 2")
    db.execute('delete from "Forecasts".curve_schedule where schedule_id in (5, 6)')
    db.execute('update "Forecasts".price_forecasts set value = -value where id <= 100')
    db.execute(
        'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value) '
        "values (3, '2031-01-01', 1)"
    )


@pytest.mark.every_version
def test_restore_from_backup_brings_back_the_exact_checksums(
    cli, cli_migrated_db, never_migrated_state
):
    db = cli_migrated_db
    (backup,) = backup_schemas(db)
    original = legacy_checksums(db)
    damage_legacy_tables(db)
    assert legacy_checksums(db) != original
    result = cli(db, "rollback", "--yes", "--restore-from-backup", backup)
    assert result.code == 0, result.err
    assert re.search(r"curve_definitions: 72 rows, checksum \w+ matches \(restored\)", result.out)
    assert legacy_checksums(db) == original == never_migrated_state[1]["checksums"]
    assert project_state(db) == never_migrated_state[0]


def test_a_plain_rollback_reports_damage_and_a_later_restore_repairs_it(cli, cli_migrated_db):
    db = cli_migrated_db
    (backup,) = backup_schemas(db)
    original = legacy_checksums(db)
    damage_legacy_tables(db)
    result = cli(db, "rollback", "--yes")
    assert result.code == 1
    assert "price_forecasts: 20162 rows (backup 20161), checksum" in result.out
    assert f"--restore-from-backup {backup}" in result.out
    repaired = cli(db, "rollback", "--yes", "--restore-from-backup", backup)
    assert repaired.code == 0, repaired.err
    assert legacy_checksums(db) == original


def test_rollback_renames_legacy_tables_a_hand_run_migration_left_behind(
    cli, cli_migrated_db, never_migrated_state
):
    db = cli_migrated_db
    db.execute('alter table "Forecasts".price_forecasts rename to price_forecasts_legacy')
    db.execute('alter table "Forecasts".curve_schedule rename to curve_schedule_legacy')
    result = cli(db, "rollback", "--yes")
    assert result.code == 0, result.err
    assert "Renamed price_forecasts_legacy back to price_forecasts" in result.out
    assert legacy_state(db) == never_migrated_state[1]
    assert project_state(db) == never_migrated_state[0]


def test_rollback_refuses_when_a_legacy_table_exists_under_both_names(cli, cli_migrated_db):
    db = cli_migrated_db
    db.execute('create table "Forecasts".curve_schedule_legacy as table "Forecasts".curve_schedule')
    before = (project_state(db), legacy_state(db))
    assert_one_line_error(cli(db, "rollback", "--yes"), 1, "both", "curve_schedule_legacy")
    assert (project_state(db), legacy_state(db)) == before
