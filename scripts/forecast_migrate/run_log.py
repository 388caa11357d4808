"""The advisory lock every changing command takes, and the run log it records itself in.

The run log is the table `migration_run_log.runs`, in a schema of its own so that rollback
(which removes everything the dbt project created) and cleanup keep its history. A run is
inserted before the work starts and updated after it; a row still `running` whose session
no longer holds the advisory lock belonged to a process that was killed (`interrupted`).

Earlier versions kept it as `forecast_migrate.runs`, a name one letter away from the
migration schema `forecast_migration`: a command that writes moves that table here, and
the commands that only read find it in either place.
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

from psycopg2 import sql

from . import MigrationError, queries
from .database import execute, fetch_all, fetch_one, fetch_value

RUN_LOG_SCHEMA = "migration_run_log"
OLD_RUN_LOG_SCHEMA = "forecast_migrate"

# The run log's statements; {runs} is the table, {schema} its schema (see `_statement`).
CREATE = """
create schema if not exists {schema};
create table if not exists {runs} (
    id bigint generated always as identity primary key,
    command text not null,
    arguments text not null default '',
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    outcome text not null default 'running'
        check (outcome in ('running', 'ok', 'failed', 'interrupted')),
    message text,
    counts jsonb not null default '{{}}'::jsonb,
    backup_name text,
    backend_pid integer not null default pg_backend_pid(),
    database_user text not null default current_user,
    client_host text,
    client_pid integer
);
comment on table {runs} is 'forecast-migrate run log: one row per migrate, rollback, cleanup'
"""
# (command, arguments, backup_name, client_host, client_pid) -> id, started_at
INSERT = """
insert into {runs} (command, arguments, backup_name, client_host, client_pid)
values (%s, %s, %s, %s, %s) returning id, started_at
"""
# (counts json, backup_name, id): the progress of a run still going
PROGRESS = """
update {runs} set counts = counts || %s::jsonb, backup_name = coalesce(%s, backup_name)
where id = %s
"""
# (outcome, message, counts json, backup_name, id)
FINISH = """
update {runs} set finished_at = clock_timestamp(), outcome = %s, message = %s,
    counts = counts || %s::jsonb, backup_name = coalesce(%s, backup_name)
where id = %s
"""
# (backend pids holding the lock): runs still `running` whose session ended were killed
MARK_INTERRUPTED = """
update {runs} set outcome = 'interrupted',
    message = coalesce(message, 'the process ended without recording an outcome')
where outcome = 'running' and backend_pid <> all(%s)
"""
# (limit) -> the latest runs, newest first
LATEST = """
select id, command, arguments, started_at, finished_at, outcome, message, counts,
    backup_name, backend_pid, database_user, client_host, client_pid
from {runs} order by id desc limit %s
"""
# (backend pid) -> the run that session is recording, if any
RUNNING_FOR_PID = """
select id, command, started_at, database_user, client_host, client_pid from {runs}
where outcome = 'running' and backend_pid = %s order by id desc limit 1
"""


def _statement(text: str, schema: str = RUN_LOG_SCHEMA) -> sql.Composed:
    return sql.SQL(text).format(
        schema=sql.Identifier(schema), runs=queries.qualified(schema, "runs")
    )


@dataclass
class Run:
    """One row of the run log."""

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


def locate(connection) -> str | None:
    """The schema holding the run log (the old name before its first upgrade), if any."""
    for schema in (RUN_LOG_SCHEMA, OLD_RUN_LOG_SCHEMA):
        if fetch_value(
            connection, queries.RELATION_EXISTS, (queries.regclass_text(schema, "runs"),)
        ):
            return schema
    return None


def ensure(connection) -> None:
    """Create the run log, or move it from its old schema (dropped when left empty)."""
    schema = locate(connection)
    if schema == RUN_LOG_SCHEMA:
        return
    if schema is None:
        execute(connection, _statement(CREATE))
        return
    execute(connection, queries.move_table(OLD_RUN_LOG_SCHEMA, "runs", RUN_LOG_SCHEMA))
    if fetch_value(connection, queries.OBJECTS_IN_SCHEMA, (OLD_RUN_LOG_SCHEMA,)) == 0:
        execute(connection, queries.drop_schema(OLD_RUN_LOG_SCHEMA))


def recent(connection, limit: int = 20) -> list[Run]:
    """The latest runs, newest first (none when there is no run log yet)."""
    schema = locate(connection)
    if schema is None:
        return []
    return [Run(*row) for row in fetch_all(connection, _statement(LATEST, schema), (limit,))]


def lock_holder_pids(connection) -> list[int]:
    """Backend pids holding the migration lock now (at most one)."""
    return [row[0] for row in fetch_all(connection, queries.ADVISORY_LOCK_PIDS, queries.LOCK_KEYS)]


def effective_outcome(run: Run, holders: list[int]) -> str:
    """A run's outcome, telling a run still in progress from one whose process died."""
    if run.outcome == "running" and run.backend_pid not in holders:
        return "interrupted"
    return run.outcome


def describe_holder(connection) -> str:
    """Who holds the migration lock: the session and, when recorded, its run."""
    holder = fetch_one(connection, queries.ADVISORY_LOCK_HOLDER, queries.LOCK_KEYS)
    if holder is None:
        return "the holder has just released it; try again"
    pid, user, application, client, since = holder
    text = (
        f"session pid {pid} (user {user}, application '{application}', from {client}, "
        f"connected {since:%Y-%m-%d %H:%M:%S %Z})"
    )
    schema = locate(connection)
    run = schema and fetch_one(connection, _statement(RUNNING_FOR_PID, schema), (pid,))
    if run:
        run_id, command, started_at, _, client_host, client_pid = run
        text = (
            f"{command} (run log #{run_id}) started {started_at:%Y-%m-%d %H:%M:%S %Z} "
            f"by {client_host} process {client_pid}, {text}"
        )
    return text


@contextmanager
def exclusive(connection, command: str) -> Iterator[None]:
    """Hold the migration's advisory lock on `connection` for the block, or refuse at once
    (exit code 1) saying who holds it. The lock is the session's: it ends with the
    connection, so a killed process never leaves it behind."""
    if not fetch_value(connection, queries.TRY_ADVISORY_LOCK, queries.LOCK_KEYS):
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
    """The run log row of the run in progress; the command adds counts as it goes."""

    connection: Any
    run_id: int
    counts: dict[str, Any] = field(default_factory=dict)
    backup_name: str | None = None
    message: str | None = None

    def save(self, outcome: str | None = None, message: str | None = None) -> None:
        """Write the counts and backup gathered so far, and the outcome when it ended."""
        if self.connection.closed:
            return
        counts = json.dumps(self.counts, default=str)
        if outcome is None:
            update = _statement(PROGRESS)
            fetch_all(self.connection, update, (counts, self.backup_name, self.run_id))
            return
        update = _statement(FINISH)
        params = (outcome, message, counts, self.backup_name, self.run_id)
        fetch_all(self.connection, update, params)


@contextmanager
def recorded(
    connection, command: str, arguments: str, backup_name: str | None = None
) -> Iterator[Recorder]:
    """Record one run: insert it (outcome `running`) before the block, then set its outcome,
    message and counts after it. Runs of killed processes are marked `interrupted` first.
    Call it while holding `exclusive`."""
    ensure(connection)
    fetch_all(
        connection,
        _statement(MARK_INTERRUPTED),
        (lock_holder_pids(connection),),
    )
    client = f"{getpass.getuser()}@{socket.gethostname()}"
    run_id, _ = fetch_one(
        connection,
        _statement(INSERT),
        (command, arguments, backup_name, client, os.getpid()),
    )
    recorder = Recorder(connection=connection, run_id=run_id, backup_name=backup_name)
    try:
        yield recorder
    except MigrationError as error:
        recorder.save("failed", str(error))
        raise
    except KeyboardInterrupt:
        recorder.save("interrupted", "interrupted by the user (Ctrl-C)")
        raise
    except Exception as error:
        recorder.save("failed", f"{type(error).__name__}: {error}")
        raise
    recorder.save("ok", recorder.message)
