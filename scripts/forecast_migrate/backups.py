"""Verified backups of the legacy tables: one schema per backup holding a copy of each legacy
table and `backup_manifest`, their row counts and checksums taken in the same snapshot."""

import datetime
import graphlib
import itertools
import re
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import NamedTuple

from psycopg2 import sql

from . import EXIT_USAGE, MigrationError, queries
from .database import connect, execute, fetch_all, fetch_value, relation_exists, transaction
from .inventory import Inventory
from .progress import Reporter

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
RECORD = """
insert into {manifest} (table_name, source_schema, row_count, checksum) values (%s, %s, %s, %s)
"""
MANIFEST = """
select table_name, row_count, checksum, created_at, verified_at
from {manifest} order by table_name
"""
MARK_VERIFIED = "update {manifest} set verified_at = now()"


def _statement(text: str, backup: str) -> sql.Composed:
    manifest = sql.Identifier(backup, queries.MANIFEST_TABLE)
    return sql.SQL(text).format(backup=sql.Identifier(backup), manifest=manifest)


class ManifestEntry(NamedTuple):
    """A table's row count and checksum: as a manifest recorded them, or as found now."""

    table: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class Backup:
    name: str
    created_at: datetime.datetime
    verified_at: datetime.datetime | None
    entries: dict[str, ManifestEntry]  # by table

    def age_days(self, now: datetime.datetime) -> float:
        return (now - self.created_at).total_seconds() / 86400


class TableCheck(NamedTuple):
    """A table as found (None: missing) against its manifest entry (None: not in the backup)."""

    table: str
    expected: ManifestEntry | None
    found: ManifestEntry | None

    @property
    def ok(self) -> bool:
        return self.expected is not None and self.found == self.expected

    def describe(self) -> str:
        found, expected = self.found, self.expected
        if found is None:
            return f"{self.table}: missing"
        if expected is None:
            return f"{self.table}: not in the backup"
        if self.ok:
            return f"{self.table}: {found.rows} rows, checksum {found.checksum[:12]} matches"
        return (
            f"{self.table}: {found.rows} rows (backup {expected.rows}), checksum "
            f"{found.checksum[:12]} differs from {expected.checksum[:12]}"
        )


def validate_name(name: str | None) -> str | None:
    if name is not None and not re.match(r"^backup_[a-z0-9_]{1,56}$", name):
        raise MigrationError(
            f"invalid backup name {name!r}: use backup_ followed by lower-case letters, "
            "digits or underscores (at most 63 characters), e.g. backup_20240115",
            EXIT_USAGE,
        )
    return name


def read(connection, name: str) -> Backup | None:
    exists = relation_exists(connection, name, queries.MANIFEST_TABLE)
    if not exists or not (rows := fetch_all(connection, _statement(MANIFEST, name))):
        return None
    verified = [row[4] for row in rows]
    return Backup(
        name=name,
        created_at=min(row[3] for row in rows),
        verified_at=None if None in verified else min(verified),  # verified once all are
        entries={row[0]: ManifestEntry(*row[:3]) for row in rows},
    )


def read_existing(connection, name: str) -> Backup:
    if (backup := read(connection, name)) is None:
        raise MigrationError(f"no backup named {name}", EXIT_USAGE)
    return backup


def list_backups(connection) -> list[Backup]:
    schemas = fetch_all(connection, queries.BACKUP_SCHEMAS, (queries.MANIFEST_TABLE,))
    found = [read(connection, name) for (name,) in schemas]
    return sorted(filter(None, found), key=lambda backup: backup.created_at)


def compare(connection, schema: str, backup: Backup, tables: Sequence[str]) -> list[TableCheck]:
    """Check tables of `schema` (the legacy schema, or the backup) against the manifest."""
    checks = []
    for table in tables:
        found = None
        if relation_exists(connection, schema, table):
            rows, checksum = fetch_all(connection, queries.checksum(schema, table))[0]
            found = ManifestEntry(table, int(rows), checksum)
        checks.append(TableCheck(table, backup.entries.get(table), found))
    return checks


def verify(connection, backup: Backup) -> list[TableCheck]:
    checks = compare(connection, backup.name, backup, list(backup.entries))
    if all(check.ok for check in checks):
        execute(connection, _statement(MARK_VERIFIED, backup.name))
    return checks


def take(connection, name: str | None, inventory: Inventory, reporter: Reporter) -> Backup:
    """Runbook Step 2: copy the legacy tables into a new schema with their row counts and
    checksums, in one REPEATABLE READ snapshot; then verify the copies. Never overwrites one."""
    if name is None:  # backup_<today's date on the server>, then _2, _3, ... when taken
        base = f"backup_{fetch_value(connection, queries.SERVER_NOW):%Y%m%d}"
        names = itertools.chain([base], (f"{base}_{suffix}" for suffix in itertools.count(2)))
        name = next(n for n in names if not fetch_value(connection, queries.SCHEMA_EXISTS, (n,)))
    legacy_schema, tables = inventory.legacy_schema, inventory.legacy_tables
    with reporter.step(f"backup {name}"):
        with transaction("backup", isolation_level="REPEATABLE READ") as snapshot:
            if fetch_value(snapshot, queries.SCHEMA_EXISTS, (name,)):
                raise MigrationError(f"backup {name} already exists: it is never overwritten")
            if missing := [
                table for table in tables if not relation_exists(snapshot, legacy_schema, table)
            ]:
                raise MigrationError(
                    f'cannot back up: "{legacy_schema}" has no table {", ".join(missing)}'
                )
            execute(snapshot, _statement(CREATE, name))
            for table in tables:
                started = time.monotonic()
                copy = sql.SQL("create table {} as table {}").format(
                    sql.Identifier(name, table), sql.Identifier(legacy_schema, table)
                )
                copied = execute(snapshot, copy)
                rows, checksum = fetch_all(snapshot, queries.checksum(legacy_schema, table))[0]
                execute(snapshot, _statement(RECORD, name), (table, legacy_schema, rows, checksum))
                reporter.progress(
                    f"backup {name}: copied {legacy_schema}.{table}, {copied} rows "
                    f"in {time.monotonic() - started:.1f}s"
                )
        with closing(connect("backup verify")) as verifying:
            backup = read(verifying, name)
            checks = verify(verifying, backup)
        for check in checks:
            reporter.progress(f"backup {name}: verified {check.describe()}")
        if failed := "; ".join(check.describe() for check in checks if not check.ok):
            raise MigrationError(f"backup {name} does not match its manifest: {failed}")
    reporter.result(
        f"Backup {name} verified: "
        + ", ".join(f"{entry.table} {entry.rows} rows" for entry in backup.entries.values())
    )
    return backup


def restore(connection, inventory: Inventory, backup: Backup, damaged: Sequence[str]) -> list[str]:
    """Replace the rows of the damaged legacy tables, and of the tables holding foreign keys
    to them, with the backup's copies (in the caller's transaction); return them in order."""
    legacy_schema, tables = inventory.legacy_schema, list(inventory.legacy_tables)
    edges = fetch_all(connection, queries.FOREIGN_KEYS_AMONG, (legacy_schema, tables, tables))
    restored = set(damaged)
    while grown := {child for child, parent in edges if parent in restored} - restored:
        restored |= grown
    parents = {
        table: {parent for child, parent in edges if child == table and parent in restored}
        for table in sorted(restored)
    }
    order = list(graphlib.TopologicalSorter(parents).static_order())
    if missing := [table for table in order if table not in backup.entries]:
        raise MigrationError(f"backup {backup.name} has no copy of {', '.join(missing)}")
    # TRUNCATE empties them together; rows go back parents first
    relations = [(legacy_schema, table) for table in order]
    execute(connection, queries.with_relations("truncate table {}", relations))
    insert = sql.SQL("insert into {} ({}) overriding system value select {} from {}")
    for table in order:
        rows = fetch_all(connection, queries.TABLE_COLUMNS, (legacy_schema, table))
        columns = sql.SQL(", ").join(sql.Identifier(column) for (column,) in rows)
        legacy, copy = sql.Identifier(legacy_schema, table), sql.Identifier(backup.name, table)
        execute(connection, insert.format(legacy, columns, columns, copy))
    return order
