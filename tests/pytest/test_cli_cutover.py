"""forecast-migrate cutover: the old application's last writes carried over under a lock that
blocks writes, then the legacy tables refuse writes naming the new tables; a cut-over that
fails, or cannot get the lock, changes nothing; rollback after a cut-over."""

from __future__ import annotations

import json
import threading
import time

import psycopg2
import pytest
from cli_helpers import assert_one_line_error, legacy_write_error, project_state, run_log_rows
from conftest import LEGACY_APP_ROLE

# the old application's write: one more hour after a legacy row
INSERT_PRICE = (
    'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value, units, value_type, mark_date) '
    "select curve_id, flow_date_start + interval '1 hour', value + 1, units, value_type, mark_date "
    'from "Forecasts".price_forecasts where id = (select max(id) from "Forecasts".price_forecasts '
    "where value is not null and mark_date is not null) returning id"
)
# a lock on the legacy price table that writers must wait for, granted to some session
WRITES_BLOCKED = (
    "select exists (select from pg_locks as held join pg_class as rel on rel.oid = held.relation "
    "where rel.relname = 'price_forecasts' and held.granted and held.mode in "
    "('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'))"
)
GUARD_FUNCTIONS = "select count(*) from pg_proc where proname = 'refuse_writes_after_cutover'"


def write_once_blocked(db, outcome: dict) -> None:
    """The old application's insert, sent once a session holds a lock that blocks it."""
    connection = db.connect(LEGACY_APP_ROLE)
    try:
        with connection.cursor() as cursor:
            for _ in range(1200):
                cursor.execute(WRITES_BLOCKED)
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            outcome["blocked_before_insert"] = True
            try:
                cursor.execute(INSERT_PRICE)
                outcome["inserted"] = cursor.fetchone()[0]
            except psycopg2.Error as error:
                outcome["error"] = error.pgerror
    finally:
        connection.close()


@pytest.mark.every_version
def test_cutover_carries_the_last_writes_refuses_later_ones_and_rollback_reopens(
    cli, cli_migrated_db
):
    db = cli_migrated_db
    # written before the cut-over: carried over by it
    (before_id,) = db.query(INSERT_PRICE, role=LEGACY_APP_ROLE)[0]
    legacy_rows = db.scalar('select count(*) from "Forecasts".price_forecasts')
    outcome: dict = {}
    writer = threading.Thread(target=write_once_blocked, args=(db, outcome))
    writer.start()
    result = cli(db, "cutover", "--yes")
    writer.join(timeout=120)
    assert result.code == 0, result.err
    assert "writes to the legacy tables were blocked for" in result.out
    # the write that waited on the lock was refused, naming the new table; or, when it waited
    # on an attempt that gave up (lock timeout: the run log counts the attempts), it went
    # through before the next attempt and was carried over like the write before it
    assert outcome.get("blocked_before_insert"), outcome
    landed = [before_id]
    if "inserted" in outcome:
        landed.append(outcome["inserted"])
    else:
        assert '"public"."PriceForecast"' in outcome["error"] and "read-only" in outcome["error"]
    assert (
        db.scalar('select count(*) from "Forecasts".price_forecasts')
        == legacy_rows + len(landed) - 1
    )
    for row_id in landed:
        carried = db.query(
            'select "timestamp", value from "PriceForecast" where id = %s', (row_id,)
        )
        legacy = db.query(
            'select flow_date_start, value from "Forecasts".price_forecasts where id = %s',
            (row_id,),
        )
        assert carried == legacy and carried, (row_id, outcome, run_log_rows(db)[-1])
    # every kind of write to every legacy table fails from now on; reads go on
    for statement, new_table in (
        ('delete from "Forecasts".curve_schedule', "CurveSchedule"),
        ('update "Forecasts".curve_definitions set market = market', "CurveDefinition"),
    ):
        error = legacy_write_error(db, statement)
        assert error is not None and f'"public"."{new_table}"' in error, (statement, error)
    assert db.scalar('select count(*) from "Forecasts".curve_schedule', role=LEGACY_APP_ROLE) > 0
    # monitor counts every refused write: those two, and the write that waited if it was refused
    monitor = json.loads(cli(db, "monitor", "--format", "json").out)
    (legacy_writes,) = [check for check in monitor["checks"] if check["name"] == "legacy_writes"]
    (refused,) = [row for row in legacy_writes["details"] if row["subject"] == "refused writes"]
    assert refused["status"] == "warn", refused
    assert refused["detail"].startswith(f"{2 + ('error' in outcome)} writes refused"), refused
    assert run_log_rows(db)[-1][1:3] == ("cutover", "ok")
    assert run_log_rows(db)[-1][5]["write_freeze_s"] > 0
    assert "cut over by cutover run #2" in cli(db, "status").out
    again = cli(db, "cutover", "--yes")
    assert_one_line_error(again, 1, "cut over already")
    # rollback drops the guard with the rest: the old application writes again
    back = cli(db, "rollback", "--yes")
    assert back.code == 1 and "The rollback is committed" in back.out, back.out + back.err
    assert db.scalar(GUARD_FUNCTIONS) == 0
    assert legacy_write_error(db, INSERT_PRICE) is None


def test_a_cutover_whose_build_fails_changes_nothing(cli, cli_migrated_db):
    db = cli_migrated_db
    # the new tables disagree with the legacy ones: the verification of the carry-over fails
    db.execute(
        'update "PriceForecast" set value = value + 1 where id = (select min(id) from "PriceForecast")'
    )
    (pending_id,) = db.query(INSERT_PRICE, role=LEGACY_APP_ROLE)[0]
    result = cli(db, "cutover", "--yes")
    assert_one_line_error(result, 1, "assert_price_rows_match_legacy", "the cut-over is undone")
    assert db.scalar(GUARD_FUNCTIONS) == 0
    assert legacy_write_error(db, INSERT_PRICE) is None
    assert run_log_rows(db)[-1][1:3] == ("cutover", "failed")
    assert pending_id


def test_a_cutover_that_cannot_lock_the_legacy_tables_gives_up_changing_nothing(
    cli, cli_migrated_db
):
    db = cli_migrated_db
    before = project_state(db)
    # the old application is in the middle of a write, and does not finish it
    writer = db.connect(LEGACY_APP_ROLE)
    writer.autocommit = False
    try:
        with writer.cursor() as cursor:
            cursor.execute(INSERT_PRICE)
        result = cli(db, "cutover", "--yes", "--lock-timeout", "0.6")
    finally:
        writer.rollback()
        writer.close()
    assert_one_line_error(result, 1, "stayed locked", "nothing changed")
    printed = cli(db, "cutover", "--print-sql")
    assert printed.code == 0 and "in share row exclusive mode" in printed.out
    assert "create trigger refuse_writes_after_cutover" in printed.out
    assert db.scalar(GUARD_FUNCTIONS) == 0
    assert legacy_write_error(db, INSERT_PRICE) is None
    assert project_state(db) == before
