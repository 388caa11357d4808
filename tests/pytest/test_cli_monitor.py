"""forecast-migrate monitor (runbook Step 7): a clean migration reports nothing failing; the
old application's write, a revoked privilege, a failed schedule run and a sequential scan of
PriceForecast, each done by a real role, each turn their own check; a schedule that has not
run three days on (--as-of) fails."""

from __future__ import annotations

import datetime
import json

import pytest
from cli_helpers import assert_one_line_error
from conftest import LEGACY_APP_ROLE, LEGACY_READER_ROLE
from forecast_migrate.commands import monitor as monitor_command
from test_cli_cutover import INSERT_PRICE

CHECKS = [
    "legacy_writes",
    "application_writes",
    "scheduled_jobs",
    "access",
    "performance",
    "errors",
]
# the new application's job runner records a run of a schedule that failed
FAILED_RUN = (
    'insert into "ScheduleRun" (schedule_id, "scheduledFor", "startedAt", status, "errorMessage") '
    "select min(id), now() at time zone 'UTC', now() at time zone 'UTC', 'FAILED', 'sample failure' "
    'from "CurveSchedule" returning schedule_id, id'
)
# a query on a column PriceForecast has no index for, without a parallel plan
SEQUENTIAL_SCAN = (
    "set max_parallel_workers_per_gather = 0; set enable_indexscan = off; "
    "set enable_bitmapscan = off; set enable_indexonlyscan = off; "
    'select count(*) from "PriceForecast" where value > 0'
)


def monitor(cli, db, *args: str) -> tuple[int, dict]:
    result = cli(db, "monitor", "--format", "json", *args)
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    assert [check["name"] for check in report["checks"]] == CHECKS
    return result.code, {check["name"]: check for check in report["checks"]}


def details(check: dict, subject: str) -> list[dict]:
    return [row for row in check["details"] if subject in row["subject"]]


@pytest.mark.every_version
def test_monitor_turns_the_check_each_problem_belongs_to(cli, cli_migrated_db):
    db = cli_migrated_db
    # a copy of a database starts its statistics at zero: take the baseline again, as the
    # cut-over's build would
    assert db.dbt("run", "--select", "database_activity_baseline").success
    code, clean = monitor(cli, db)
    assert code == 0
    assert {
        name: check["status"] for name, check in clean.items() if name != "application_writes"
    } == {
        "legacy_writes": "ok",
        "scheduled_jobs": "ok",
        "access": "ok",
        "performance": "ok",
        "errors": "ok",
    }, clean
    assert clean["application_writes"]["status"] == "warn"  # nothing written since the build

    (written,) = db.query(INSERT_PRICE, role=LEGACY_APP_ROLE)[0]
    db.execute(f'revoke select on "PriceForecast" from {LEGACY_READER_ROLE}')
    schedule, run_id = db.query(FAILED_RUN, role=LEGACY_APP_ROLE)[0]
    db.execute(SEQUENTIAL_SCAN, role=LEGACY_APP_ROLE)
    code, after = monitor(cli, db)
    assert code == 1  # access fails
    assert {name: check["status"] for name, check in after.items()} == {
        "legacy_writes": "warn",
        "application_writes": "ok",
        "scheduled_jobs": "warn",
        "access": "fail",
        "performance": "warn",
        "errors": "ok",
    }, after
    legacy, newest = details(after["legacy_writes"], "price_forecasts")
    assert legacy["status"] == "warn" and "1 rows inserted" in legacy["detail"], written
    assert newest["detail"].startswith(f"newest row: id {written}"), newest
    (missing,) = [row for row in after["access"]["details"] if row["status"] == "fail"]
    assert missing["subject"] == f"{LEGACY_READER_ROLE} on PriceForecast"
    assert "lacks SELECT" in missing["detail"] and "grant select" in missing["action"]
    (failed,) = [row for row in after["scheduled_jobs"]["details"] if row["status"] == "warn"]
    assert (
        failed["subject"].startswith(f"schedule {schedule} ") and "1 failed run" in failed["detail"]
    )
    (prices,) = details(after["performance"], "PriceForecast")
    assert prices["status"] == "warn" and "sequential scans" in prices["detail"]
    (runs,) = details(after["application_writes"], "ScheduleRun")
    assert "1 rows inserted" in runs["detail"] and f"latest: id {run_id}" in runs["detail"]

    # three days on, no schedule with a daily or shorter window has run: they fail
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    code, overdue = monitor(cli, db, "--as-of", later.isoformat())
    assert code == 1 and overdue["scheduled_jobs"]["status"] == "fail"
    late = [row for row in overdue["scheduled_jobs"]["details"] if row["status"] == "fail"]
    assert late and all("overdue by" in row["detail"] for row in late)


def test_monitor_watch_prints_only_what_changed(cli, cli_migrated_db, monkeypatch):
    db = cli_migrated_db
    rounds: list[float] = []

    def sleep(seconds: float) -> None:  # between rounds the old application writes, then ^C
        rounds.append(seconds)
        if len(rounds) > 1:
            raise KeyboardInterrupt
        db.execute(INSERT_PRICE, role=LEGACY_APP_ROLE)

    monkeypatch.setattr(monitor_command.time, "sleep", sleep)
    result = cli(db, "monitor", "--watch", "5", "--format", "json")
    first, second = map(json.loads, result.out.splitlines())
    assert result.code == 0 and rounds == [5.0, 5.0]
    assert [check["name"] for check in first["checks"]] == CHECKS
    assert [(check["name"], check["status"]) for check in second["checks"]] == [
        ("legacy_writes", "warn")
    ]


def test_monitor_text_is_one_table(cli, cli_migrated_db):
    text = cli(cli_migrated_db, "monitor")
    header = text.out.splitlines()[1].split()
    assert text.code == 0 and header == ["check", "status", "summary", "next", "step"], text.out
    assert [line.split()[0] for line in text.out.splitlines()[2:]] == CHECKS


def test_monitor_refuses_a_database_not_migrated(cli, cli_sample_db):
    assert_one_line_error(cli(cli_sample_db, "monitor"), 2, "not migrated")
