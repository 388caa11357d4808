"""Faults forecast-migrate must survive: no connection, missing schema or rights, locks held
by the application, two migrations at once, and a migration killed during `dbt build`."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import uuid

import psycopg2
import pytest
from cli_helpers import (
    CliResult,
    assert_one_line_error,
    backup_schemas,
    legacy_state,
    project_state,
    rename_database,
    run_log_rows,
    schemas,
    start_cli,
    wait_for_other_sessions_to_end,
)
from conftest import LEGACY_APP_ROLE, ROLE_PASSWORD, create_database

ENV_SERVER = os.environ.get("FORECAST_TEST_SERVER") == "env"


def unchanged(db):
    """A snapshot to compare before and after a command that must write nothing."""
    return (schemas(db), project_state(db), legacy_state(db), run_log_rows(db))


# --- connection, schema and privilege errors: one line, exit 2, nothing written ----------

CONNECTION_FAULTS = {
    "unreachable host": {"PGHOST": "127.0.0.1", "PGPORT": "1"},
    "no server at that socket": {"PGHOST": "/nonexistent"},
    "missing database": {"PGDATABASE": "no_such_database"},
    # the embedded server trusts local connections, so an unknown role stands in for a
    # wrong password there; CI's PostgreSQL 15 (FORECAST_TEST_SERVER=env) checks passwords
    "wrong password": {"PGPASSWORD": "wrong-password"}
    if ENV_SERVER
    else {"PGUSER": "no_such_role", "PGPASSWORD": "wrong-password"},
}


@pytest.mark.parametrize("fault", list(CONNECTION_FAULTS))
@pytest.mark.parametrize(
    "command", [["migrate"], ["rollback", "--yes"], ["backup"], ["check"], ["status"]]
)
def test_connection_faults_are_one_line_errors_and_write_nothing(
    cli, cli_sample_db, fault, command
):
    before = unchanged(cli_sample_db)
    result = cli(cli_sample_db, *command, **CONNECTION_FAULTS[fault])
    assert_one_line_error(result, 2, "cannot connect to database")
    assert "wrong-password" not in result.err
    assert unchanged(cli_sample_db) == before


@pytest.mark.parametrize("command", [["migrate"], ["backup"], ["check"]])
def test_a_missing_legacy_schema_is_a_one_line_error(cli, cli_sample_db, command):
    cli_sample_db.execute('drop schema "Forecasts" cascade')
    before = unchanged(cli_sample_db)
    result = cli(cli_sample_db, *command)
    assert_one_line_error(result, 2, 'legacy schema "Forecasts" does not exist')
    assert unchanged(cli_sample_db) == before


@pytest.fixture
def reader_role(admin, cli_sample_db):
    """A login role that may read the legacy tables but create nothing."""
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin.execute(f"create role {role} login password 'app'")
    cli_sample_db.execute(f'grant usage on schema "Forecasts" to {role}')
    cli_sample_db.execute(f'grant select on all tables in schema "Forecasts" to {role}')
    yield role
    cli_sample_db.execute(f'revoke all on all tables in schema "Forecasts" from {role}')
    cli_sample_db.execute(f'revoke usage on schema "Forecasts" from {role}')
    admin.execute(f"drop role {role}")


@pytest.mark.parametrize("command", [["migrate"], ["backup"]])
def test_a_role_without_create_rights_is_refused_before_writing(
    cli, cli_sample_db, reader_role, command
):
    before = unchanged(cli_sample_db)
    result = cli(cli_sample_db, *command, PGUSER=reader_role, PGPASSWORD="app")
    assert_one_line_error(result, 2, f'role "{reader_role}" may not create schemas')
    assert unchanged(cli_sample_db) == before


# --- locks held by the application ---------------------------------------------------


def application_transaction(db):
    """An open transaction of the application, under its own role, that has read
    CurveDefinition (and so holds a lock that conflicts with DROP)."""
    connection = psycopg2.connect(
        host=db.env["PGHOST"],
        port=db.env["PGPORT"],
        user=LEGACY_APP_ROLE,
        password=ROLE_PASSWORD,
        dbname=db.name,
        application_name="curve schedule page",
    )
    with connection.cursor() as cursor:
        cursor.execute('select count(*) from "CurveDefinition"')
    return connection


@pytest.mark.every_version
@pytest.mark.xdist_group("timing")
def test_rollback_behind_a_long_application_transaction_gives_up_and_changes_nothing(
    cli, cli_migrated_db
):
    db = cli_migrated_db
    before = (schemas(db), project_state(db), legacy_state(db))
    application = application_transaction(db)
    try:
        app_pid = application.get_backend_pid()
        started = time.monotonic()
        result = cli(db, "rollback", "--yes", "--lock-timeout", "1.5")
        took = time.monotonic() - started
    finally:
        application.close()
    assert_one_line_error(
        result,
        1,
        "rollback gave up after 3 attempts of 500 ms",
        f"locked by session pid {app_pid} (user {LEGACY_APP_ROLE}",
        # the owner is no superuser: another role's state and query are hidden from it
        "application 'curve schedule page', its activity is visible only to a superuser",
        "Nothing changed",
    )
    assert len(re.findall(r"rollback transaction, attempt \d/3", result.out)) == 3
    assert took < 30
    assert (schemas(db), project_state(db), legacy_state(db)) == before
    assert run_log_rows(db)[-1][1:3] == ("rollback", "failed")


@pytest.mark.xdist_group("timing")
def test_rollback_retries_and_succeeds_once_the_lock_is_released(
    cli, cli_migrated_db, never_migrated_state
):
    db = cli_migrated_db
    application = application_transaction(db)
    timer = threading.Timer(1.0, application.rollback)
    timer.start()
    try:
        result = cli(db, "rollback", "--yes", "--lock-timeout", "9")
    finally:
        timer.join()
        application.close()
    assert result.code == 0, result.err
    assert "attempt 1/3" in result.out
    assert (project_state(db), legacy_state(db)) == never_migrated_state


# --- concurrent and interrupted migrations -----------------------------------------------


@pytest.mark.xdist_group("timing")
def test_two_migrations_started_at_once_one_migrates_the_other_names_the_holder(
    cli_sample_db, migrated
):
    first = start_cli(cli_sample_db, "migrate", "--quiet")
    second = start_cli(cli_sample_db, "migrate", "--quiet")
    outputs = [proc.communicate(timeout=300) for proc in (first, second)]
    results = [
        CliResult(proc.returncode, out, err)
        for proc, (out, err) in zip((first, second), outputs, strict=True)
    ]
    winners = [result for result in results if result.code == 0]
    losers = [result for result in results if result.code != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    assert (
        "Migration complete: 72 curves, 68 instances, 20131 prices, 72 schedules" in winners[0].out
    )
    assert_one_line_error(
        losers[0],
        1,
        "migrate refused: another forecast-migrate run holds the migration lock",
        "application 'forecast-migrate migrate pid",
    )
    assert [row[1:3] for row in run_log_rows(cli_sample_db)] == [("migrate", "ok")]
    assert project_state(cli_sample_db) == project_state(migrated)


def migrate_and_kill(db, model: str, mid_statement: bool) -> str:
    """Run `forecast-migrate migrate` in a subprocess and SIGKILL it when `model` starts
    (with mid_statement, once its SQL is running); return the output it printed."""
    process = start_cli(db, "migrate")
    printed = []
    assert process.stdout is not None
    for line in process.stdout:
        printed.append(line)
        if re.search(rf"\] model {model} \(\w+\) running", line):
            break
    else:
        process.wait()
        raise AssertionError("migrate ended before " + model + ":\n" + "".join(printed))
    if mid_statement:
        # one connection polled in a tight loop: the statement runs for a fraction of a second
        watcher = db.connect()
        try:
            with watcher.cursor() as cursor:
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    cursor.execute(
                        "select count(*) from pg_stat_activity where datname = current_database() "
                        "and state = 'active' and pid <> pg_backend_pid() and query like %s",
                        (f'%"{model}"%',),
                    )
                    if cursor.fetchone()[0]:
                        break
                else:
                    raise AssertionError(f"never saw the SQL of {model} running")
                os.kill(process.pid, signal.SIGKILL)
        finally:
            watcher.close()
    else:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stderr.close()
    return "".join(printed)


@pytest.mark.xdist_group("timing")
@pytest.mark.parametrize(
    ("model", "mid_statement"),
    [("CurveDefinition", False), ("PriceForecast", True), ("migration_exceptions", False)],
)
def test_a_migration_killed_during_dbt_build_can_be_resumed_or_rolled_back(
    cli, admin, cli_sample_db, migrated, never_migrated_state, model, mid_statement
):
    db = cli_sample_db
    legacy_before = legacy_state(db)
    output = migrate_and_kill(db, model, mid_statement)
    assert "Starting migration with 72 curves, 20161 price records, 40 schedules" in output
    wait_for_other_sessions_to_end(db)
    assert legacy_state(db) == legacy_before

    status = cli(db, "status")
    assert re.search(r"#1\s+migrate\s+interrupted", status.out), status.out
    assert "part-way: migrate run #1 interrupted" in status.out

    # from the killed state (kept in a copy), a rollback reaches the never-migrated state ...
    killed = create_database(admin, template=db.name)
    rolled_back = cli(db, "rollback", "--yes")
    assert rolled_back.code == 0, rolled_back.err
    assert (project_state(db), legacy_state(db)) == never_migrated_state

    # ... and a fresh migrate reaches the state of an uninterrupted run
    db = rename_database(admin, killed, db.name)
    resumed = cli(db, "migrate")
    assert resumed.code == 0, resumed.err
    assert "continuing: part-way: migrate run #1 interrupted" in resumed.out
    assert "Migration complete: 72 curves, 68 instances, 20131 prices, 72 schedules" in resumed.out
    assert project_state(db) == project_state(migrated)
    assert legacy_state(db) == legacy_before
    assert [row[1:3] for row in run_log_rows(db)] == [
        ("migrate", "interrupted"),
        ("migrate", "ok"),
    ]
    assert len(backup_schemas(db)) == 2
