"""forecast-migrate check, backup, migrate, status and cleanup against a real server: what
they print, what they write, and what they refuse."""

from __future__ import annotations

import re

import pytest
from cli_helpers import (
    RUN_LOG_SCHEMA,
    assert_one_line_error,
    backup_schemas,
    legacy_state,
    project_state,
    run_log_rows,
    schemas,
)
from helpers import legacy_checksums


def test_check_prints_the_readiness_report_and_writes_nothing(cli, cli_sample_db):
    before = (schemas(cli_sample_db), project_state(cli_sample_db), legacy_state(cli_sample_db))
    result = cli(cli_sample_db, "check")
    assert result.code == 0, result.err
    out = result.out
    assert re.search(r"curve_definitions\s+72\s+expected 72", out)
    assert re.search(r"price_forecasts\s+20161", out)
    # collisions and how they will be renamed, by the models' rule
    assert re.search(r"\b41\s+PJM\s+RT\s+WESTERN HUB\s+.*PJM_RT_WESTERN_HUB_V3", out)
    # the privileges the legacy application's roles will get, from the legacy tables' grants
    assert re.search(
        r"legacy_app\s+price_forecasts\s+PriceForecast\s+DELETE, INSERT, SELECT, UPDATE", out
    )
    assert re.search(r"^  legacy_reader\s+curve_definitions\s+CurveDefinition\s+SELECT$", out, re.M)
    assert re.search(r"market\s+4\s+12, 30, 71, 72", out)
    assert re.search(r"curve_id is null\s+24", out)
    assert re.search(r"\(no curve\)\s+Hidden Lakes\s+0\s+24\s+0", out)
    assert "Source tests: 9 passed, 5 warnings, 0 failed" in out
    assert "Ready: no blockers." in out
    assert (
        schemas(cli_sample_db),
        project_state(cli_sample_db),
        legacy_state(cli_sample_db),
    ) == before


def test_check_exits_1_on_a_blocker(cli, cli_sample_db):
    result = cli(cli_sample_db, "--vars", "{expected_curve_count: 70}", "check")
    assert result.code == 1
    # the same sentence as `dbt build` says it (macro log_readiness_failures)
    sentence = "expected 70 curve_definitions, found 72 (var expected_curve_count)"
    assert f"readiness: {sentence}" in result.out
    assert f"  blocker  {sentence}" in result.out
    assert "Not ready: 1 blocker(s)" in result.out


@pytest.mark.every_version
def test_backup_copies_records_and_verifies_in_one_snapshot(cli, cli_sample_db):
    result = cli(cli_sample_db, "backup", "--name", "backup_20240115")
    assert result.code == 0, result.err
    assert "Backup backup_20240115 verified" in result.out
    assert legacy_checksums(cli_sample_db, schema="backup_20240115") == legacy_checksums(
        cli_sample_db
    )
    manifest = cli_sample_db.query(
        "select table_name, source_schema, row_count, verified_at is not null "
        "from backup_20240115.backup_manifest order by 1"
    )
    assert manifest == [
        ("curve_definitions", "Forecasts", 72, True),
        ("curve_schedule", "Forecasts", 40, True),
        ("price_forecasts", "Forecasts", 20161, True),
    ]
    verified = cli(cli_sample_db, "backup", "--verify", "backup_20240115")
    assert verified.code == 0 and "Backup verified" in verified.out


def test_backup_default_name_is_today_and_never_overwrites(cli, cli_sample_db):
    today = cli_sample_db.scalar("select to_char(now(), 'YYYYMMDD')")
    assert cli(cli_sample_db, "backup").code == 0
    assert cli(cli_sample_db, "backup").code == 0
    assert backup_schemas(cli_sample_db) == [f"backup_{today}", f"backup_{today}_2"]
    before = legacy_checksums(cli_sample_db, schema=f"backup_{today}")
    cli_sample_db.execute('delete from "Forecasts".curve_schedule where schedule_id = 1')
    refused = cli(cli_sample_db, "backup", "--name", f"backup_{today}")
    assert_one_line_error(refused, 1, "already exists", "never overwritten")
    assert legacy_checksums(cli_sample_db, schema=f"backup_{today}") == before


@pytest.mark.parametrize(
    "name",
    ['backup_x"; drop schema "Forecasts" cascade; --', "Backup_20240115", "public", "backup_"],
)
def test_backup_names_are_validated_before_any_sql(cli, cli_sample_db, name):
    before = schemas(cli_sample_db)
    assert_one_line_error(cli(cli_sample_db, "backup", "--name", name), 2, "invalid backup name")
    assert schemas(cli_sample_db) == before


@pytest.mark.every_version
def test_verify_reports_a_damaged_backup(cli, cli_sample_db):
    assert cli(cli_sample_db, "backup", "--name", "backup_damaged").code == 0
    cli_sample_db.execute(
        "update backup_damaged.price_forecasts set value = value + 1 where id = 1"
    )
    result = cli(cli_sample_db, "backup", "--verify", "backup_damaged")
    assert result.code == 1
    assert "price_forecasts: 20161 rows (backup 20161), checksum" in result.out
    assert "Backup damaged" in result.out


def test_migrate_prints_the_runbook_lines_and_reaches_the_dbt_build_state(
    cli, cli_sample_db, migrated
):
    legacy_before = legacy_state(cli_sample_db)
    result = cli(cli_sample_db, "migrate")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "Starting migration with 72 curves, 20161 price records, 40 schedules" in lines
    assert "Migration complete: 72 curves, 68 instances, 20131 prices, 72 schedules" in lines
    # progress: each model as it starts, rows written, elapsed time
    assert re.search(
        r"^\[\s*\d+\.\ds\] \[\d+/\d+\] model PriceForecast \(incremental\) running",
        result.out,
        re.M,
    )
    assert re.search(r"model PriceForecast: success, 20131 rows in \d+\.\ds", result.out)
    assert re.search(r"Verification \(runbook Step 4\): \d+ data tests passed", result.out)
    assert legacy_state(cli_sample_db) == legacy_before
    assert project_state(cli_sample_db) == project_state(migrated)
    (run,) = run_log_rows(cli_sample_db)
    run_id, command, outcome, message, backup_name, counts = run
    assert (command, outcome) == ("migrate", "ok")
    assert backup_name in backup_schemas(cli_sample_db)
    assert counts["prices"] == 20131 and counts["curves"] == 72
    assert counts["backup"]["price_forecasts"] == 20161


def test_migrate_stops_at_a_failed_check_with_the_reason_and_records_it(cli, cli_sample_db):
    db = cli_sample_db
    before = (project_state(db), legacy_state(db))
    result = cli(db, "--vars", "{expected_curve_count: 70}", "migrate")
    assert_one_line_error(
        result,
        1,
        "readiness check failed, nothing was migrated",
        "expected 70 curve_definitions, found 72 (var expected_curve_count)",
    )
    assert "Starting migration" not in result.out
    assert (project_state(db), legacy_state(db)) == before
    assert backup_schemas(db) == []
    assert [row[1:3] for row in run_log_rows(db)] == [("migrate", "failed")]


def test_quiet_migrate_prints_results_but_no_progress(cli, cli_sample_db):
    result = cli(cli_sample_db, "migrate", "--quiet")
    assert result.code == 0, result.err
    assert "Migration complete: 72 curves" in result.out
    assert not re.search(r"^\[\s*\d+\.\ds\]", result.out, re.M)


def test_a_second_migrate_refuses_and_changes_nothing(cli, cli_migrated_db):
    db = cli_migrated_db
    before = (schemas(db), project_state(db), legacy_state(db), run_log_rows(db))
    result = cli(db, "migrate")
    assert_one_line_error(result, 1, "already migrated by run #1", "nothing changed")
    assert (schemas(db), project_state(db), legacy_state(db), run_log_rows(db)) == before


def test_migrate_rerun_carries_over_late_legacy_rows(cli, cli_migrated_db):
    db = cli_migrated_db
    db.execute(
        'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value, units, '
        "value_type, mark_date) select curve_id, flow_date_start + interval '1 year', value, "
        'units, value_type, mark_date from "Forecasts".price_forecasts where id = 1'
    )
    status = cli(db, "status")
    assert re.search(r"price_forecasts\s+1\n", status.out), status.out
    result = cli(db, "migrate", "--rerun", "--quiet")
    assert result.code == 0, result.err
    assert "Migration complete: 72 curves, 68 instances, 20132 prices, 72 schedules" in result.out
    assert len(backup_schemas(db)) == 2
    assert re.search(r"price_forecasts\s+0\n", cli(db, "status").out)


def test_status_of_a_never_migrated_database(cli, cli_sample_db):
    before = cli(cli_sample_db, "status")
    assert before.code == 0 and "migration: not migrated" in before.out
    assert "no runs recorded" in before.out and "Backups: none" in before.out
    assert RUN_LOG_SCHEMA not in schemas(cli_sample_db)


def test_status_tells_where_the_transition_stands(cli, cli_migrated_db):
    db = cli_migrated_db
    db.execute(
        'insert into "Forecasts".curve_definitions (market, mark_type, location) '
        "values ('CAISO', 'DA', 'New Node')"
    )
    db.execute(
        'insert into "VersionHistory" (curve_instance_id, "changeType") '
        "select min(id), 'UPDATE' from \"CurveInstance\""
    )
    result = cli(db, "status")
    assert result.code == 0, result.err
    out = result.out
    assert "migration: migrated" in out
    assert re.search(r"#1\s+migrate\s+ok", out)
    assert re.search(r"curve_definitions\s+1\n", out)
    assert re.search(r"VersionHistory\s+1\n", out)
    assert re.search(r"backup_\d{8}\s+.*\s+0\.0\s+20273\s+yes\s+\d{4}-\d\d-\d\d", out)
    assert "cleanup --legacy-tables allowed from" in out


def test_cleanup_is_a_dry_run_and_refuses_young_objects(cli, cli_migrated_db):
    db = cli_migrated_db
    before = (schemas(db), project_state(db), legacy_state(db), run_log_rows(db))
    dry = cli(db, "cleanup")
    assert dry.code == 0
    assert re.search(r"backup_\d{8}\s+\S+ \S+\s+0\.0\s+keep: too young", dry.out)
    assert "Dry run: nothing to drop." in dry.out
    young = cli(db, "cleanup", "--legacy-tables", "--execute", "--yes")
    assert young.code == 1
    assert (
        "refused: legacy tables kept, the migration is 0.0 days old, younger than 30 days"
        in young.out
    )
    assert (schemas(db), project_state(db), legacy_state(db), run_log_rows(db)) == before


def test_destructive_commands_need_yes_without_a_terminal(cli, cli_migrated_db):
    db = cli_migrated_db
    before = project_state(db)
    assert_one_line_error(cli(db, "rollback"), 2, "confirm with --yes")
    assert project_state(db) == before


def test_usage_errors_exit_2_with_one_line(cli, cli_sample_db):
    assert_one_line_error(cli(cli_sample_db, "frobnicate"), 2, "invalid choice")
    assert_one_line_error(cli(cli_sample_db, "rollback", "--lock-timeout", "soon"), 2)
    assert cli(cli_sample_db, "--help").code == 0


def test_a_run_log_under_its_old_schema_name_is_read_then_moved(cli, cli_migrated_db):
    """Earlier versions kept the run log as forecast_migrate.runs, one letter from the
    migration schema forecast_migration: status reads it there, the next recorded run
    moves it to migration_run_log with its history."""
    db = cli_migrated_db
    db.execute(f"alter schema {RUN_LOG_SCHEMA} rename to forecast_migrate")
    status = cli(db, "status")
    assert "Run log (forecast_migrate.runs), latest first:" in status.out, status.out
    assert re.search(r"#1\s+migrate\s+ok", status.out)
    assert RUN_LOG_SCHEMA not in schemas(db)
    result = cli(db, "rollback", "--yes")
    assert result.code == 0, result.err
    assert "forecast_migrate" not in schemas(db)
    assert [row[1:3] for row in run_log_rows(db)] == [("migrate", "ok"), ("rollback", "ok")]
