"""The advisory lock every changing command takes, and the ledger it records itself in.

The ledger is the table `forecast_migrate.runs`, in a schema of its own so that rollback
(which removes everything the dbt project created) and cleanup keep its history. A run is
inserted before the work starts and updated after it; a row still `running` whose session
no longer holds the advisory lock belonged to a process that was killed (`interrupted`).
"""

from __future__ import annotations

import datetime
import getpass
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import MigrationError, queries
from .database import fetch_all, fetch_one, fetch_value

LEDGER_SCHEMA = "forecast_migrate"


@dataclass
class Run:
    """One row of the ledger."""

    id: int
    command: str
    arguments: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    outcome: str
    message: str | None
    counts: dict[str, Any]
    backup_name: str | None
    backend_pid: int
    database_user: str
    client_host: str | None
    client_pid: int | None


def exists(connection) -> bool:
    """Whether the ledger table exists (read-only commands never create it)."""
    return bool(
        fetch_value(
            connection,
            queries.RELATION_EXISTS,
            (queries.regclass_text(LEDGER_SCHEMA, "runs"),),
        )
    )


def recent(connection, limit: int = 20) -> list[Run]:
    """The latest runs, newest first (none when there is no ledger yet)."""
    if not exists(connection):
        return []
    return [
        Run(*row) for row in fetch_all(connection, queries.ledger_runs(LEDGER_SCHEMA), (limit,))
    ]


def lock_holder_pids(connection) -> list[int]:
    """Backend pids holding the migration lock now (at most one)."""
    return [row[0] for row in fetch_all(connection, queries.ADVISORY_LOCK_PIDS, queries.LOCK_KEYS)]


def effective_outcome(run: Run, holders: list[int]) -> str:
    """A run's outcome, telling a run still in progress from one whose process died."""
    if run.outcome == "running" and run.backend_pid not in holders:
        return "interrupted"
    return run.outcome


def describe_holder(connection) -> str:
    """Who holds the migration lock: the session and, when recorded, its ledger run."""
    holder = fetch_one(connection, queries.ADVISORY_LOCK_HOLDER, queries.LOCK_KEYS)
    if holder is None:
        return "the holder has just released it; try again"
    pid, user, application, client, since = holder
    text = (
        f"session pid {pid} (user {user}, application '{application}', from {client}, "
        f"connected {since:%Y-%m-%d %H:%M:%S %Z})"
    )
    if exists(connection):
        run = fetch_one(connection, queries.ledger_running_for_pid(LEDGER_SCHEMA), (pid,))
        if run is not None:
            run_id, command, started_at, database_user, client_host, client_pid = run
            text = (
                f"{command} (ledger run #{run_id}) started {started_at:%Y-%m-%d %H:%M:%S %Z} "
                f"by {client_host} process {client_pid}, {text}"
            )
    return text


@contextmanager
def exclusive(connection, command: str) -> Iterator[None]:
    """Hold the migration's advisory lock on `connection` for the block, or refuse at once
    (exit code 1) saying who holds it. The lock is the session's: it ends with the
    connection, so a killed process never leaves it behind."""
    acquired = fetch_value(connection, queries.TRY_ADVISORY_LOCK, queries.LOCK_KEYS)
    if not acquired:
        raise MigrationError(
            f"{command} refused: another forecast-migrate run holds the migration lock: "
            f"{describe_holder(connection)}"
        )
    try:
        yield
    finally:
        if not connection.closed:
            fetch_value(connection, queries.ADVISORY_UNLOCK, queries.LOCK_KEYS)


@dataclass
class Recorder:
    """The ledger row of the run in progress; the command adds counts as it goes."""

    connection: Any
    run_id: int
    counts: dict[str, Any] = field(default_factory=dict)
    backup_name: str | None = None
    message: str | None = None


@contextmanager
def recorded(
    connection, command: str, arguments: str, backup_name: str | None = None
) -> Iterator[Recorder]:
    """Record one run: insert it (outcome `running`) before the block, then set its outcome,
    message and counts after it. Runs of killed processes are marked `interrupted` first.
    Call it while holding `exclusive`."""
    if not exists(connection):
        fetch_all(connection, queries.ledger_ddl(LEDGER_SCHEMA))
    fetch_all(
        connection, queries.ledger_mark_interrupted(LEDGER_SCHEMA), (lock_holder_pids(connection),)
    )
    client = f"{getpass.getuser()}@{socket.gethostname()}"
    run_id, _ = fetch_one(
        connection,
        queries.ledger_insert(LEDGER_SCHEMA),
        (command, arguments, backup_name, client, os.getpid()),
    )
    recorder = Recorder(connection=connection, run_id=run_id, backup_name=backup_name)
    try:
        yield recorder
    except MigrationError as error:
        _finish(recorder, "failed", str(error))
        raise
    except KeyboardInterrupt:
        _finish(recorder, "interrupted", "interrupted by the user (Ctrl-C)")
        raise
    except Exception as error:
        _finish(recorder, "failed", f"{type(error).__name__}: {error}")
        raise
    _finish(recorder, "ok", recorder.message)


def note(recorder: Recorder) -> None:
    """Write the counts and backup gathered so far, before the run ends."""
    fetch_all(
        recorder.connection,
        queries.ledger_progress(LEDGER_SCHEMA),
        (json.dumps(recorder.counts, default=str), recorder.backup_name, recorder.run_id),
    )


def _finish(recorder: Recorder, outcome: str, message: str | None) -> None:
    if recorder.connection.closed:
        return
    fetch_all(
        recorder.connection,
        queries.ledger_finish(LEDGER_SCHEMA),
        (
            outcome,
            message,
            json.dumps(recorder.counts, default=str),
            recorder.backup_name,
            recorder.run_id,
        ),
    )
