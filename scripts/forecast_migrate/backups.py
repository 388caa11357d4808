"""Verified backups of the legacy tables: one schema per backup holding a copy of each legacy
table and `backup_manifest` (row count and checksum of each table, taken in the same
snapshot as the copies)."""

from __future__ import annotations

import datetime
import graphlib
import re
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass

from psycopg2 import sql

from . import EXIT_USAGE, MigrationError, queries
from .database import connect, execute, fetch_all, fetch_value, transaction
from .progress import Reporter

NAME_PATTERN = re.compile(r"^backup_[a-z0-9_]{1,56}$")

# A backup's statements; {backup} is its schema, {manifest} its manifest (see `_statement`).
CREATE = """
create schema {backup};
create table {manifest} (
    table_name text primary key,
    source_schema text not null,
    row_count bigint not null,
    checksum text not null,
    created_at timestamptz not null default now(),
    verified_at timestamptz
);
comment on schema {backup} is
    'forecast-migrate backup of the legacy tables; backup_manifest holds the row counts and '
    'checksums taken in the same snapshot as the copies'
"""
# (table_name, source_schema, row_count, checksum)
RECORD = """
insert into {manifest} (table_name, source_schema, row_count, checksum) values (%s, %s, %s, %s)
"""
MANIFEST = """
select table_name, source_schema, row_count, checksum, created_at, verified_at
from {manifest} order by table_name
"""
MARK_VERIFIED = "update {manifest} set verified_at = now()"


def _statement(text: str, backup: str) -> sql.Composed:
    manifest = queries.qualified(backup, queries.MANIFEST_TABLE)
    return sql.SQL(text).format(backup=sql.Identifier(backup), manifest=manifest)


@dataclass(frozen=True)
class ManifestEntry:
    """What the manifest recorded for one legacy table."""

    table: str
    source_schema: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class Backup:
    """One backup schema and its manifest."""

    name: str
    created_at: datetime.datetime
    verified_at: datetime.datetime | None
    entries: tuple[ManifestEntry, ...]

    def age_days(self, now: datetime.datetime) -> float:
        return (now - self.created_at).total_seconds() / 86400

    def entry(self, table: str) -> ManifestEntry | None:
        return next((entry for entry in self.entries if entry.table == table), None)


@dataclass(frozen=True)
class TableCheck:
    """A table's row count and checksum against what a manifest recorded."""

    table: str
    expected_rows: int | None
    expected_checksum: str | None
    rows: int | None
    checksum: str | None

    @property
    def ok(self) -> bool:
        return self.expected_checksum is not None and (self.rows, self.checksum) == (
            self.expected_rows,
            self.expected_checksum,
        )

    def describe(self) -> str:
        if self.rows is None:
            return f"{self.table}: missing"
        if self.expected_checksum is None:
            return f"{self.table}: not in the backup"
        if self.ok:
            return f"{self.table}: {self.rows} rows, checksum {self.checksum[:12]} matches"
        return (
            f"{self.table}: {self.rows} rows (backup {self.expected_rows}), checksum "
            f"{self.checksum[:12]} differs from {self.expected_checksum[:12]}"
        )


def validate_name(name: str) -> str:
    """A backup name is `backup_` plus lower-case letters, digits and underscores."""
    if not NAME_PATTERN.match(name):
        raise MigrationError(
            f"invalid backup name {name!r}: use backup_ followed by lower-case letters, "
            "digits or underscores (at most 63 characters), e.g. backup_20240115",
            EXIT_USAGE,
        )
    return name


def server_now(connection) -> datetime.datetime:
    return fetch_value(connection, queries.SERVER_NOW)


def default_name(connection) -> str:
    """backup_<today's date on the server>, with _2, _3, ... when that name is taken."""
    base = f"backup_{server_now(connection):%Y%m%d}"
    candidate, suffix = base, 1
    while schema_exists(connection, candidate):
        suffix += 1
        candidate = f"{base}_{suffix}"
    return candidate


def schema_exists(connection, name: str) -> bool:
    return bool(fetch_value(connection, queries.SCHEMA_EXISTS, (name,)))


def read(connection, name: str) -> Backup | None:
    """The backup in schema `name`, or None when there is none."""
    if not fetch_value(
        connection,
        queries.RELATION_EXISTS,
        (queries.regclass_text(name, queries.MANIFEST_TABLE),),
    ):
        return None
    rows = fetch_all(connection, _statement(MANIFEST, name))
    if not rows:
        return None
    return Backup(
        name=name,
        created_at=min(row[4] for row in rows),
        verified_at=min((row[5] for row in rows), default=None)
        if all(row[5] for row in rows)
        else None,
        entries=tuple(ManifestEntry(row[0], row[1], row[2], row[3]) for row in rows),
    )


def list_backups(connection) -> list[Backup]:
    """Every backup in the database, oldest first."""
    names = [
        row[0] for row in fetch_all(connection, queries.BACKUP_SCHEMAS, (queries.MANIFEST_TABLE,))
    ]
    backups = [backup for backup in (read(connection, name) for name in names) if backup]
    return sorted(backups, key=lambda backup: backup.created_at)


def latest_verified(connection) -> Backup | None:
    verified = [backup for backup in list_backups(connection) if backup.verified_at]
    return verified[-1] if verified else None


def table_checksum(connection, schema: str, table: str) -> tuple[int, str] | None:
    """(rows, checksum) of one table, or None when it does not exist."""
    if not fetch_value(
        connection, queries.RELATION_EXISTS, (queries.regclass_text(schema, table),)
    ):
        return None
    rows, checksum = fetch_all(connection, queries.checksum(schema, table))[0]
    return int(rows), checksum


def compare(connection, schema: str, backup: Backup, tables: Sequence[str]) -> list[TableCheck]:
    """Check tables of `schema` (the legacy schema, or the backup itself) against the manifest."""
    checks = []
    for table in tables:
        entry = backup.entry(table)
        found = table_checksum(connection, schema, table)
        checks.append(
            TableCheck(
                table=table,
                expected_rows=entry.rows if entry else None,
                expected_checksum=entry.checksum if entry else None,
                rows=found[0] if found else None,
                checksum=found[1] if found else None,
            )
        )
    return checks


def verify(connection, backup: Backup) -> list[TableCheck]:
    """Re-read the backup's copies and check them against its manifest; record the time of
    a successful verification in the manifest."""
    checks = compare(connection, backup.name, backup, [entry.table for entry in backup.entries])
    if all(check.ok for check in checks):
        execute(connection, _statement(MARK_VERIFIED, backup.name))
    return checks


def create(name: str, legacy_schema: str, tables: Sequence[str], reporter: Reporter) -> Backup:
    """Copy the legacy tables into a new schema `name` and record their row counts and
    checksums, all in one REPEATABLE READ transaction (one consistent snapshot); then
    re-read the copies and verify them. Refuses an existing schema of that name."""
    validate_name(name)
    with transaction("backup", isolation_level="REPEATABLE READ") as connection:
        if schema_exists(connection, name):
            raise MigrationError(f"backup {name} already exists: it is never overwritten")
        execute(connection, _statement(CREATE, name))
        for table in tables:
            started = time.monotonic()
            copy = sql.SQL("create table {} as table {}").format(
                queries.qualified(name, table), queries.qualified(legacy_schema, table)
            )
            copied = execute(connection, copy)
            rows, checksum = fetch_all(connection, queries.checksum(legacy_schema, table))[0]
            execute(connection, _statement(RECORD, name), (table, legacy_schema, rows, checksum))
            reporter.progress(
                f"backup {name}: copied {legacy_schema}.{table}, {copied} rows "
                f"in {time.monotonic() - started:.1f}s"
            )

    with closing(connect("backup verify")) as connection:
        backup = read(connection, name)
        assert backup is not None
        checks = verify(connection, backup)
    for check in checks:
        reporter.progress(f"backup {name}: verified {check.describe()}")
    if not all(check.ok for check in checks):
        failed = "; ".join(check.describe() for check in checks if not check.ok)
        raise MigrationError(f"backup {name} does not match its manifest: {failed}")
    return backup


def restore(
    connection,
    legacy_schema: str,
    backup: Backup,
    damaged: Sequence[str],
    legacy_tables: Sequence[str],
) -> list[str]:
    """Replace the contents of the damaged legacy tables with the backup's copies, inside the
    caller's transaction. Legacy tables holding foreign keys to a damaged table are restored
    with it (they must be emptied together); rows are inserted parents first. Returns the
    tables restored."""
    edges = fetch_all(
        connection,
        queries.FOREIGN_KEYS_AMONG,
        (legacy_schema, list(legacy_tables), list(legacy_tables)),
    )
    parents = {table: set() for table in legacy_tables}
    children = {table: set() for table in legacy_tables}
    for child, parent in edges:
        parents[child].add(parent)
        children[parent].add(child)
    restored = set(damaged)
    while grown := {child for table in restored for child in children[table]} - restored:
        restored |= grown
    # TRUNCATE empties them together; rows go back parents first
    order = list(
        graphlib.TopologicalSorter(
            {table: parents[table] & restored for table in sorted(restored)}
        ).static_order()
    )
    missing = [table for table in order if backup.entry(table) is None]
    if missing:
        raise MigrationError(f"backup {backup.name} has no copy of {', '.join(missing)}")
    tables = [(legacy_schema, table) for table in order]
    execute(connection, queries.with_relations("truncate table {}", tables))
    for table in order:
        columns = [
            row[0] for row in fetch_all(connection, queries.TABLE_COLUMNS, (legacy_schema, table))
        ]
        execute(connection, queries.restore_rows(legacy_schema, table, backup.name, columns))
    return order
