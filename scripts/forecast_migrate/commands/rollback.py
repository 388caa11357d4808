"""`forecast-migrate rollback`: the runbook's rollback plan, guarded.

In one transaction with a lock_timeout: drop every view, table and enum type the dbt project
created (the list comes from the project, see catalog.py), the migration schema once empty,
rename legacy tables an earlier hand-run migration left as <table>_legacy back, optionally
restore damaged legacy tables from a backup, and verify the legacy tables against the latest
verified backup. Refuses while the new tables hold rows the application wrote, unless
--force or --export DIR (which saves them to CSV first, in the same transaction). When the
tables stay locked by other sessions it retries, then gives up having changed nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, ledger, queries
from ..backups import Backup, TableCheck
from ..catalog import Catalog
from ..context import Context
from ..database import as_text, execute, fetch_all, fetch_value
from ..state import (
    RENAMED_SUFFIX,
    ObjectState,
    inspect_objects,
    require_create_rights,
    require_ownership,
)

DEFAULT_LOCK_TIMEOUT_SECONDS = 15.0
LOCK_ATTEMPTS = 3


@dataclass(frozen=True)
class Plan:
    """What the rollback will do, derived from the project's catalog and the database."""

    lock: tuple[tuple[str, str], ...]
    views: tuple[tuple[str, str], ...]
    tables: tuple[tuple[str, str], ...]
    types: tuple[str, ...]
    renames: tuple[tuple[str, str], ...]  # (<table>_legacy, <table>) in the legacy schema
    target_tables: tuple[str, ...]  # present tables the application may have written to
    revoke_schema_usage: tuple[str, ...]  # roles the migration granted USAGE on the target schema

    def statements(self, catalog: Catalog, lock_timeout_ms: int) -> list[sql.Composable]:
        """The plan as SQL (without the conditional drop of the emptied migration schema)."""
        statements: list[sql.Composable] = [queries.set_lock_timeout(lock_timeout_ms)]
        # tables only: LOCK on a view also locks what the view reads, the catalog included
        if self.lock:
            statements.append(queries.lock_relations(self.lock))
        if self.views:
            statements.append(queries.drop_views(self.views))
        if self.tables:
            statements.append(queries.drop_tables(self.tables))
        if self.types:
            statements.append(queries.drop_types(catalog.target_schema, self.types))
        statements += [
            queries.revoke_schema_usage(catalog.target_schema, grantee)
            for grantee in self.revoke_schema_usage
        ]
        statements += [
            queries.rename_table(catalog.legacy_schema, old, new) for old, new in self.renames
        ]
        return statements


@dataclass
class Outcome:
    """What the rollback transaction did."""

    application_rows: dict[str, int] = field(default_factory=dict)
    exported: list[Path] = field(default_factory=list)
    dropped_schema: bool = False
    restored: list[str] = field(default_factory=list)
    checks: list[TableCheck] = field(default_factory=list)


def make_plan(
    catalog: Catalog, objects: ObjectState, revoke_schema_usage: tuple[str, ...] = ()
) -> Plan:
    """Drop what exists of the project; rename back what a hand-run migration renamed;
    revoke the USAGE grants on the target schema that the migration made."""
    conflicting = [table for table in objects.renamed_legacy if table in objects.legacy_tables]
    if conflicting:
        raise MigrationError(
            f'both "{catalog.legacy_schema}".{conflicting[0]} and {conflicting[0]}{RENAMED_SUFFIX} '
            "exist: decide which one is the legacy table before rolling back; nothing changed"
        )
    views = tuple((obj.schema, obj.name) for obj in objects.relations if obj.kind == "view")
    tables = tuple((obj.schema, obj.name) for obj in objects.relations if obj.kind == "table")
    legacy = catalog.legacy_schema
    legacy_relations = tuple((legacy, table) for table in objects.legacy_tables) + tuple(
        (legacy, table + RENAMED_SUFFIX) for table in objects.renamed_legacy
    )
    target_names = {relation.identifier for relation in catalog.target_tables}
    return Plan(
        lock=tables + legacy_relations,
        views=views,
        tables=tables,
        types=tuple(obj.name for obj in objects.types),
        renames=tuple((table + RENAMED_SUFFIX, table) for table in objects.renamed_legacy),
        target_tables=tuple(
            name
            for schema, name in tables
            if schema == catalog.target_schema and name in target_names
        ),
        revoke_schema_usage=revoke_schema_usage,
    )


def run(
    ctx: Context,
    force: bool = False,
    export_dir: str | None = None,
    restore_from: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    print_sql: bool = False,
) -> int:
    """Roll back; return 0, or 1 when the legacy tables do not match the backup."""
    if restore_from is not None:
        backups.validate_name(restore_from)
    if lock_timeout <= 0:
        raise MigrationError("--lock-timeout must be positive", EXIT_USAGE)
    export_path = Path(export_dir) if export_dir else None
    reporter = ctx.reporter
    connection = ctx.connect()
    try:
        catalog = ctx.catalog()
        plan = _plan(connection, catalog)
        attempt_ms = max(int(lock_timeout * 1000 / LOCK_ATTEMPTS), 1)
        if print_sql:
            for statement in plan.statements(catalog, attempt_ms):
                reporter.result(f"{as_text(connection, statement)};")
            drop_schema = as_text(connection, queries.drop_schema(catalog.migration_schema))
            reporter.result(f"-- then, if the migration schema is left empty: {drop_schema};")
            return EXIT_OK
        with ledger.exclusive(connection, "rollback"):
            objects = inspect_objects(connection, catalog)
            if objects.nothing_present and restore_from is None:
                raise MigrationError(
                    f"nothing to roll back: no table, view or enum type of the project exists in "
                    f'"{catalog.target_schema}" or "{catalog.migration_schema}" and no legacy '
                    "table is renamed (never migrated, or rolled back already). Nothing changed"
                )
            if export_path is not None:
                _prepare_export_dir(export_path, catalog)
            plan = _plan(connection, catalog)
            require_ownership(connection, objects)
            require_create_rights(connection, catalog, new_schemas=not ledger.exists(connection))
            backup = _backup_to_check(connection, restore_from)
            reporter.result(
                f"Rollback: {objects.summary()}; {len(plan.renames)} renamed legacy table(s)"
            )
            counts = count_application_rows(connection, catalog, plan.target_tables)
            _report_application_rows(ctx, counts)
            if any(counts.values()) and not (force or export_path):
                raise _refusal(counts)
            ctx.confirm(
                f"Drop {len(plan.views)} views, {len(plan.tables)} tables and "
                f"{len(plan.types)} enum types of the migration?"
            )
            arguments = " ".join(
                f"{flag} {value}".strip()
                for flag, value in (
                    ("--force", "" if force else None),
                    ("--export", export_dir),
                    ("--restore-from-backup", restore_from),
                )
                if value is not None
            )
            with ledger.recorded(
                connection, "rollback", arguments, backup.name if backup else None
            ) as record:
                outcome = _with_retries(
                    ctx, connection, catalog, plan, attempt_ms,
                    backup, restore_from is not None, force, export_path,
                )  # fmt: skip
                record.counts.update(
                    {
                        "dropped": {
                            "views": len(plan.views),
                            "tables": len(plan.tables),
                            "types": len(plan.types),
                        },
                        "renamed": [new for _, new in plan.renames],
                        "application_rows": outcome.application_rows,
                        "exported": [str(path) for path in outcome.exported],
                        "restored": outcome.restored,
                        "verified": {check.table: check.ok for check in outcome.checks},
                    }
                )
                record.message = _verdict(outcome, backup)
    finally:
        connection.close()
    _report(ctx, plan, outcome, backup, record.run_id)
    return EXIT_OK if all(check.ok for check in outcome.checks) else EXIT_CHECK_FAILED


def _plan(connection, catalog: Catalog) -> Plan:
    objects = inspect_objects(connection, catalog)
    granted = catalog.relation("granted_schema_usage")
    present = any(obj.name == granted.identifier for obj in objects.relations)
    grantees = (
        tuple(row[0] for row in fetch_all(connection, catalog.granted_schema_usage))
        if present
        else ()
    )
    return make_plan(catalog, objects, grantees)


def _prepare_export_dir(path: Path, catalog: Catalog) -> None:
    """The export directory exists (created if missing) and holds no CSV of ours yet."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MigrationError(
            f"cannot create export directory {path}: {error}", EXIT_USAGE
        ) from error
    existing = [
        relation.identifier
        for relation in catalog.target_tables
        if (path / f"{relation.identifier}.csv").exists()
    ]
    if existing:
        raise MigrationError(
            f"{path / (existing[0] + '.csv')} exists: export to an empty directory", EXIT_USAGE
        )


def _backup_to_check(connection, restore_from: str | None) -> Backup | None:
    if restore_from is None:
        return backups.latest_verified(connection)
    backup = backups.read(connection, restore_from)
    if backup is None:
        raise MigrationError(f"no backup named {restore_from}", EXIT_USAGE)
    return backup


def count_application_rows(connection, catalog: Catalog, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows with no legacy origin per present target table (the project's rule, see
    macro forecast_migrate_catalog)."""
    return {
        table: int(fetch_value(connection, queries.count_rows_of(catalog.application_rows[table])))
        for table in tables
        if table in catalog.application_rows
    }


def _report_application_rows(ctx: Context, counts: dict[str, int]) -> None:
    written = {table: rows for table, rows in counts.items() if rows}
    if not written:
        ctx.reporter.result("Application rows in the new tables: none")
        return
    ctx.reporter.result(
        "Application rows in the new tables: "
        + ", ".join(f"{table} {rows}" for table, rows in written.items())
    )


def _refusal(counts: dict[str, int]) -> MigrationError:
    written = ", ".join(f"{table} {rows}" for table, rows in counts.items() if rows)
    return MigrationError(
        f"rollback refused: the application wrote rows to the new tables after the migration "
        f"({written}); they would be lost. Save them with --export DIR, or drop them with "
        "--force. Nothing changed"
    )


def _with_retries(
    ctx: Context,
    session,
    catalog: Catalog,
    plan: Plan,
    attempt_ms: int,
    backup: Backup | None,
    restore: bool,
    force: bool,
    export_path: Path | None,
) -> Outcome:
    """Run the rollback transaction; when a lock is not granted within attempt_ms, undo and
    try again, LOCK_ATTEMPTS times in all, then give up naming the sessions in the way."""
    holders: list[tuple] = []
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        ctx.reporter.progress(
            f"rollback transaction, attempt {attempt}/{LOCK_ATTEMPTS}: locking "
            f"{len(plan.lock)} relations (lock_timeout {attempt_ms} ms)"
        )
        try:
            return _transaction(ctx, catalog, plan, attempt_ms, backup, restore, force, export_path)
        except psycopg2.errors.LockNotAvailable:
            holders = fetch_all(
                session,
                queries.LOCK_HOLDERS,
                ([queries.regclass_text(schema, name) for schema, name in plan.lock],),
            )
            ctx.reporter.progress(f"attempt {attempt}: {_describe_holders(holders)}")
            if attempt < LOCK_ATTEMPTS:
                time.sleep(0.2)
    raise MigrationError(
        f"rollback gave up after {LOCK_ATTEMPTS} attempts of {attempt_ms} ms: "
        f"{_describe_holders(holders)}. Nothing changed; end that session or retry later"
    )


def _describe_holders(holders: list[tuple]) -> str:
    if not holders:
        return "the tables were locked by another session (it has finished since)"
    pid, user, application, state, seconds, query, relation = holders[0]
    # another role's activity is visible only to superusers and pg_read_all_stats
    activity = (
        f"{state} for {seconds}s, last query: {query}"
        if state is not None
        else "its activity is visible only to a superuser or pg_read_all_stats"
    )
    return (
        f"{relation} is locked by session pid {pid} (user {user}, "
        f"application '{application or '?'}', {activity})"
        + (f" and {len(holders) - 1} more lock(s)" if len(holders) > 1 else "")
    )


def _transaction(
    ctx: Context,
    catalog: Catalog,
    plan: Plan,
    attempt_ms: int,
    backup: Backup | None,
    restore: bool,
    force: bool,
    export_path: Path | None,
) -> Outcome:
    """One attempt: everything in one transaction, committed only when it all succeeded."""
    connection = ctx.connect("rollback transaction", autocommit=False)
    outcome = Outcome()
    try:
        statements = plan.statements(catalog, attempt_ms)
        for statement in statements[:2]:  # lock_timeout, then the locks
            execute(connection, statement)
        # counted again under the locks: rows written since the check count too
        outcome.application_rows = count_application_rows(connection, catalog, plan.target_tables)
        if any(outcome.application_rows.values()):
            if export_path is not None:
                outcome.exported = _export(
                    ctx, connection, catalog, outcome.application_rows, export_path
                )
            elif not force:
                raise _refusal(outcome.application_rows)
        for statement in statements[2:]:
            execute(connection, statement)
        ctx.reporter.progress(
            f"dropped {len(plan.views)} views, {len(plan.tables)} tables, "
            f"{len(plan.types)} enum types; renamed {len(plan.renames)} legacy table(s) back"
        )
        if (
            catalog.migration_schema not in (catalog.target_schema, catalog.legacy_schema)
            and fetch_value(connection, queries.OBJECTS_IN_SCHEMA, (catalog.migration_schema,)) == 0
        ):
            execute(connection, queries.drop_schema(catalog.migration_schema))
            outcome.dropped_schema = True
        if backup is not None:
            outcome.checks = backups.compare(
                connection, catalog.legacy_schema, backup, catalog.legacy_tables
            )
            damaged = [
                check.table for check in outcome.checks if not check.ok and check.rows is not None
            ]
            if restore and damaged:
                outcome.restored = backups.restore(
                    connection, catalog.legacy_schema, backup, damaged, catalog.legacy_tables
                )
                ctx.reporter.progress(f"restored from {backup.name}: {', '.join(outcome.restored)}")
                outcome.checks = backups.compare(
                    connection, catalog.legacy_schema, backup, catalog.legacy_tables
                )
                if not all(check.ok for check in outcome.checks):
                    failed = "; ".join(c.describe() for c in outcome.checks if not c.ok)
                    raise MigrationError(
                        f"restore from {backup.name} did not bring back the checksums ({failed}); "
                        "the whole rollback was undone"
                    )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
    return outcome


def _export(
    ctx: Context, connection, catalog: Catalog, counts: dict[str, int], directory: Path
) -> list[Path]:
    """Save the application's rows of each table to <directory>/<table>.csv (with header)."""
    written = []
    for table, rows in counts.items():
        if not rows:
            continue
        path = directory / f"{table}.csv"
        with open(path, "x", encoding="utf-8", newline="") as handle, connection.cursor() as cursor:
            statement = queries.copy_to_csv(catalog.application_rows[table])
            cursor.copy_expert(statement.as_string(connection), handle)
        ctx.reporter.progress(f"exported {rows} application rows of {table} to {path}")
        written.append(path)
    return written


def _verdict(outcome: Outcome, backup: Backup | None) -> str:
    if backup is None:
        return "rolled back; no verified backup to check the legacy tables against"
    if all(check.ok for check in outcome.checks):
        return f"rolled back; legacy tables match backup {backup.name}"
    differing = ", ".join(check.table for check in outcome.checks if not check.ok)
    return f"rolled back; legacy tables differ from backup {backup.name}: {differing}"


def _report(ctx: Context, plan: Plan, outcome: Outcome, backup: Backup | None, run_id: int) -> None:
    reporter = ctx.reporter
    for old, new in plan.renames:
        reporter.result(f"Renamed {old} back to {new}")
    for path in outcome.exported:
        reporter.result(f"Saved application rows to {path}")
    if backup is None:
        reporter.result("No verified backup: the legacy tables could not be checked")
    else:
        reporter.result(
            f"Legacy tables against backup {backup.name} "
            f"(taken {backup.created_at:%Y-%m-%d %H:%M:%S %Z}):"
        )
        for check in outcome.checks:
            restored = " (restored)" if check.table in outcome.restored else ""
            reporter.result(f"  {check.describe()}{restored}")
    verdict = _verdict(outcome, backup)
    reporter.result(f"{verdict[0].upper()}{verdict[1:]}; ledger run #{run_id}")
    if backup is not None and not all(check.ok for check in outcome.checks):
        reporter.result(
            f"The rollback is committed. The legacy tables changed since {backup.name} was taken: "
            "rows the old application wrote since then are expected; if instead a table was "
            "damaged, `forecast-migrate rollback --restore-from-backup "
            f"{backup.name}` replaces it with the backup's copy (discarding those rows)"
        )
