"""The advisory lock every changing command takes, and the run log it records itself in.

The run log, `migration_run_log.runs`, has a schema of its own so that rollback and cleanup
keep its history. Earlier versions kept it as `forecast_migrate.runs`: a command that writes
moves it here, the commands that only read find it in either place."""

import getpass
import json
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from psycopg2 import sql
from psycopg2.extras import NamedTupleCursor

from . import MigrationError, queries
from .database import execute, fetch_all, fetch_one, fetch_value, relation_exists

RUN_LOG_SCHEMA = "migration_run_log"
OLD_RUN_LOG_SCHEMA = "forecast_migrate"

# Two-key advisory lock shared by every migrate, rollback, backup and cleanup of a database.
LOCK_KEYS = (0x46_4D_47_52, 1)  # "FMGR", 1
TRY_LOCK = sql.SQL("select pg_try_advisory_lock(%s, %s)")
UNLOCK = sql.SQL("select pg_advisory_unlock(%s, %s)")
# (key1, key2) -> pid, user, application_name, client address, backend start of the holder
ADVISORY_LOCK_HOLDER = sql.SQL(
    "select activity.pid, activity.usename, activity.application_name, "
    "coalesce(host(activity.client_addr), 'local socket'), "
    "activity.backend_start from pg_catalog.pg_locks as held "
    "join pg_catalog.pg_stat_activity as activity on activity.pid = held.pid "
    "where held.locktype = 'advisory' and held.granted and held.classid = %s and held.objid = %s "
    "and held.objsubid = 2 and held.database = "
    "(select oid from pg_catalog.pg_database where datname = current_database())"
)

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
# (command, arguments, backup_name, client_host, client_pid) -> id
INSERT = """
insert into {runs} (command, arguments, backup_name, client_host, client_pid)
values (%s, %s, %s, %s, %s) returning id
"""
# The counts and backup gathered so far and, once the run ended (outcome not null), its end.
SAVE = """
update {runs} set counts = counts || %(counts)s::jsonb,
    backup_name = coalesce(%(backup_name)s, backup_name),
    outcome = coalesce(%(outcome)s, outcome), message = %(message)s,
    finished_at = case when %(outcome)s is null then null else clock_timestamp() end
where id = %(id)s
"""
# (backend pids holding the lock): runs still `running` whose session ended were killed
MARK_INTERRUPTED = """
update {runs} set outcome = 'interrupted',
    message = coalesce(message, 'the process ended without recording an outcome')
where outcome = 'running' and backend_pid <> all(%s)
"""
# (backend pid) -> the run that session is recording, if any
RUNNING_FOR_PID = """
select id, command, started_at, client_host, client_pid from {runs}
where outcome = 'running' and backend_pid = %s order by id desc limit 1
"""


def _statement(text: str, schema: str = RUN_LOG_SCHEMA) -> sql.Composed:
    return sql.SQL(text).format(schema=sql.Identifier(schema), runs=sql.Identifier(schema, "runs"))


def locate(connection) -> str | None:
    """The schema holding the run log (the old name before its first upgrade), if any."""
    for schema in (RUN_LOG_SCHEMA, OLD_RUN_LOG_SCHEMA):
        if relation_exists(connection, schema, "runs"):
            return schema
    return None


def recent(connection, limit: int = 20) -> list:
    if (schema := locate(connection)) is None:
        return []
    latest = _statement("select * from {runs} order by id desc limit %s", schema)
    with connection.cursor(cursor_factory=NamedTupleCursor) as cursor:
        cursor.execute(latest, (limit,))
        return cursor.fetchall()


def lock_holder_pids(connection) -> list[int]:
    return [row[0] for row in fetch_all(connection, ADVISORY_LOCK_HOLDER, LOCK_KEYS)]


@contextmanager
def exclusive(connection, command: str) -> Iterator[None]:
    """Hold the migration's advisory lock for the block, or refuse at once saying who holds it.
    The lock is the session's: a killed process never leaves it behind."""
    if not fetch_value(connection, TRY_LOCK, LOCK_KEYS):
        holder = "the holder has just released it; try again"
        if found := fetch_one(connection, ADVISORY_LOCK_HOLDER, LOCK_KEYS):
            pid, user, application, client, since = found
            holder = (
                f"session pid {pid} (user {user}, application '{application}', from {client}, "
                f"connected {since:%Y-%m-%d %H:%M:%S %Z})"
            )
            schema = locate(connection)
            if run := schema and fetch_one(connection, _statement(RUNNING_FOR_PID, schema), (pid,)):
                run_id, run_command, started_at, client_host, client_pid = run
                holder = (
                    f"{run_command} (run log #{run_id}) started {started_at:%Y-%m-%d %H:%M:%S %Z} "
                    f"by {client_host} process {client_pid}, {holder}"
                )
        raise MigrationError(
            f"{command} refused: another forecast-migrate run holds the migration lock: {holder}"
        )
    try:
        yield
    finally:
        if not connection.closed:
            fetch_value(connection, UNLOCK, LOCK_KEYS)


@dataclass
class Recorder:
    """The run log row of the run in progress; the command adds counts as it goes."""

    connection: Any
    run_id: int
    counts: dict[str, Any] = field(default_factory=dict)
    backup_name: str | None = None
    message: str | None = None

    def save(self, outcome: str | None = None, message: str | None = None) -> None:
        if self.connection.closed:
            return
        params = {"counts": json.dumps(self.counts, default=str), "backup_name": self.backup_name}
        params |= {"outcome": outcome, "message": message, "id": self.run_id}
        execute(self.connection, _statement(SAVE), params)


@contextmanager
def recorded(
    connection, command: str, arguments: Sequence[str], backup_name: str | None = None
) -> Iterator[Recorder]:
    """Record one run with its non-empty `arguments` (call it holding `exclusive`), inserted as
    `running`, then given its outcome, message and counts."""
    if (schema := locate(connection)) is None:
        execute(connection, _statement(CREATE))
    elif schema == OLD_RUN_LOG_SCHEMA:
        move = sql.SQL("create schema if not exists {new}; alter table {} set schema {new}")
        old_runs = sql.Identifier(OLD_RUN_LOG_SCHEMA, "runs")
        execute(connection, move.format(old_runs, new=sql.Identifier(RUN_LOG_SCHEMA)))
        if fetch_value(connection, queries.OBJECTS_IN_SCHEMA, (OLD_RUN_LOG_SCHEMA,)) == 0:
            execute(connection, queries.drop_schema(OLD_RUN_LOG_SCHEMA))
    execute(connection, _statement(MARK_INTERRUPTED), (lock_holder_pids(connection),))
    client = f"{getpass.getuser()}@{socket.gethostname()}"
    params = (command, " ".join(filter(None, arguments)), backup_name, client, os.getpid())
    run_id = fetch_value(connection, _statement(INSERT), params)
    recorder = Recorder(connection, run_id, backup_name=backup_name)
    try:
        yield recorder
    except KeyboardInterrupt:
        recorder.save("interrupted", "interrupted by the user (Ctrl-C)")
        raise
    except Exception as error:
        failed = isinstance(error, MigrationError)
        recorder.save("failed", str(error) if failed else f"{type(error).__name__}: {error}")
        raise
    recorder.save("ok", recorder.message)
