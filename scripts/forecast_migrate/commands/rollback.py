"""`forecast-migrate rollback`: the runbook's rollback plan, guarded.

In one transaction with a lock_timeout: drop every view, table and enum type the dbt project
created (the list comes from the project, see inventory.py), the migration schema once empty,
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

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, queries, run_log
from ..backups import Backup, TableCheck
from ..context import Context
from ..database import as_text, execute, fetch_all, fetch_value, transaction
from ..inventory import (
    RENAMED_SUFFIX,
    Inventory,
    Objects,
    application_rows,
    count_application_rows,
    find,
)
from ..state import require_create_rights, require_ownership

DEFAULT_LOCK_TIMEOUT_SECONDS = 15.0
LOCK_ATTEMPTS = 3


@dataclass(frozen=True)
class Plan:
    """What the rollback will do, derived from the inventory and the database."""

    lock: tuple[tuple[str, str], ...]  # the tables to lock before changing anything
    changes: tuple[sql.Composable, ...]  # the drops, revokes and renames, run under the locks
    views: int
    tables: int
    types: int
    renamed: tuple[str, ...]  # legacy tables found as <table>_legacy, renamed back
    target_tables: tuple[str, ...]  # present tables the application may have written to


@dataclass(frozen=True)
class Request:
    """What the user asked for, checked before anything runs."""

    force: bool
    export_path: Path | None
    restore_from: str | None
    attempt_ms: int  # the lock_timeout of each of the LOCK_ATTEMPTS attempts
    arguments: str  # the options as the run log records them


@dataclass
class Outcome:
    """What the rollback transaction did."""

    application_rows: dict[str, int] = field(default_factory=dict)
    exported: list[Path] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    checks: list[TableCheck] = field(default_factory=list)

    @property
    def legacy_tables_match(self) -> bool:
        return all(check.ok for check in self.checks)


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
    flags = [
        "--force" if force else "",
        f"--export {Path(export_dir)}" if export_dir else "",
        f"--restore-from-backup {restore_from}" if restore_from else "",
    ]
    request = Request(
        force=force,
        export_path=Path(export_dir) if export_dir else None,
        restore_from=restore_from,
        attempt_ms=max(int(lock_timeout * 1000 / LOCK_ATTEMPTS), 1),
        arguments=" ".join(flag for flag in flags if flag),
    )
    with ctx.connected() as connection:
        if print_sql:
            return _print_sql(ctx, connection, request.attempt_ms)
        with run_log.exclusive(connection, "rollback"):
            return _roll_back(ctx, connection, request)


def _print_sql(ctx: Context, connection, attempt_ms: int) -> int:
    inventory = ctx.inventory()
    plan = _plan(ctx, find(connection, inventory))
    for statement in [*_locks(plan, attempt_ms), *plan.changes]:
        ctx.reporter.result(f"{as_text(connection, statement)};")
    drop_schema = as_text(connection, queries.drop_schema(inventory.migration_schema))
    ctx.reporter.result(f"-- then, if the migration schema is left empty: {drop_schema};")
    return EXIT_OK


def _plan(ctx: Context, objects: Objects) -> Plan:
    """Drop what exists of the project; rename back what a hand-run migration renamed;
    revoke the USAGE grants on the target schema that the migration made."""
    inventory = ctx.inventory()
    _refuse_unclear_legacy_tables(inventory, objects)
    views = tuple((obj.schema, obj.name) for obj in objects.relations if obj.kind == "view")
    tables = tuple((obj.schema, obj.name) for obj in objects.relations if obj.kind == "table")
    types = tuple((obj.schema, obj.name) for obj in objects.types)
    drops = [("drop view {}", views), ("drop table {}", tables), ("drop type {}", types)]
    changes = [queries.with_relations(text, names) for text, names in drops if names]
    changes += [
        queries.revoke_schema_usage(inventory.target_schema, grantee)
        for grantee in _granted_schema_usage(ctx, objects)
    ]
    legacy, renamed = inventory.legacy_schema, objects.renamed_legacy
    changes += [queries.rename_table(legacy, name + RENAMED_SUFFIX, name) for name in renamed]
    target_names = {table.identifier for table in inventory.target_tables}
    return Plan(
        lock=tables
        + tuple((legacy, name) for name in objects.legacy_tables)
        + tuple((legacy, name + RENAMED_SUFFIX) for name in renamed),
        changes=tuple(changes),
        views=len(views),
        tables=len(tables),
        types=len(types),
        renamed=renamed,
        target_tables=tuple(
            name
            for schema, name in tables
            if schema == inventory.target_schema and name in target_names
        ),
    )


def _refuse_unclear_legacy_tables(inventory: Inventory, objects: Objects) -> None:
    """Refuse after the clean-up (the new tables then hold the only copy of the legacy rows),
    and when a legacy table exists under both its names."""
    legacy = inventory.legacy_schema
    if objects.retired_legacy:
        retired = ", ".join(f'"{legacy}".{name}' for name in objects.retired_legacy)
        raise MigrationError(
            f"the clean-up replaced the legacy tables by views ({retired}): the new tables hold "
            "the only copy of the data, so rollback refuses; nothing changed (to go back, "
            "restore a snapshot taken before the clean-up)",
            EXIT_CHECK_FAILED,
        )
    conflicting = [table for table in objects.renamed_legacy if table in objects.legacy_tables]
    if conflicting:
        raise MigrationError(
            f'both "{legacy}".{conflicting[0]} and {conflicting[0]}{RENAMED_SUFFIX} exist: '
            "decide which one is the legacy table before rolling back; nothing changed"
        )


def _granted_schema_usage(ctx: Context, objects: Objects) -> list[str]:
    """The roles the migration granted USAGE on the target schema (while its model exists)."""
    granted = ctx.inventory().relation("granted_schema_usage")
    if not any(obj.name == granted.identifier for obj in objects.relations):
        return []
    return [row["grantee"] for row in ctx.dbt().show_one("granted_schema_usage_to_revoke")]


def _locks(plan: Plan, attempt_ms: int) -> list[sql.Composable]:
    """The lock_timeout, then the locks. Tables only: LOCK on a view also locks what the
    view reads, the catalog included."""
    statements: list[sql.Composable] = [queries.set_lock_timeout(attempt_ms)]
    if plan.lock:
        lock = queries.with_relations("lock table {} in access exclusive mode", plan.lock)
        statements.append(lock)
    return statements


def _roll_back(ctx: Context, connection, request: Request) -> int:
    """Under the migration lock: check, ask, then run the transaction and report."""
    plan, backup = _checked_plan(ctx, connection, request)
    selects = application_rows(ctx.dbt())
    counts = count_application_rows(connection, selects, plan.target_tables)
    ctx.reporter.result(f"Application rows in the new tables: {_written(counts) or 'none'}")
    if _written(counts) and not (request.force or request.export_path):
        raise _refusal(counts)
    ctx.confirm(
        f"Drop {plan.views} views, {plan.tables} tables and {plan.types} enum types of the "
        "migration?"
    )
    backup_name = backup.name if backup else None
    with run_log.recorded(connection, "rollback", request.arguments, backup_name) as record:
        outcome = _with_retries(ctx, connection, plan, request, backup, selects)
        record.counts.update(
            dropped={"views": plan.views, "tables": plan.tables, "types": plan.types},
            renamed=list(plan.renamed),
            application_rows=outcome.application_rows,
            exported=[str(path) for path in outcome.exported],
            restored=outcome.restored,
            verified={check.table: check.ok for check in outcome.checks},
        )
        record.message = _verdict(outcome, backup)
    _report(ctx, plan, outcome, backup, record.run_id)
    return EXIT_OK if outcome.legacy_tables_match else EXIT_CHECK_FAILED


def _checked_plan(ctx: Context, connection, request: Request) -> tuple[Plan, Backup | None]:
    """The plan and the backup to check the legacy tables against, once nothing stands in
    the way (the user is asked next)."""
    inventory = ctx.inventory()
    objects = find(connection, inventory)
    if objects.nothing_present and request.restore_from is None:
        raise MigrationError(
            f"nothing to roll back: no table, view or enum type of the project exists in "
            f'"{inventory.target_schema}" or "{inventory.migration_schema}" and no legacy '
            "table is renamed (never migrated, or rolled back already). Nothing changed"
        )
    if request.export_path is not None:
        _prepare_export_dir(request.export_path, inventory)
    plan = _plan(ctx, objects)
    require_ownership(connection, objects)
    require_create_rights(connection, inventory, new_schemas=run_log.locate(connection) is None)
    if request.restore_from is None:
        backup = backups.latest_verified(connection)
    else:
        backup = backups.read_existing(connection, request.restore_from)
    ctx.reporter.result(
        f"Rollback: {objects.summary()}; {len(plan.renamed)} renamed legacy table(s)"
    )
    return plan, backup


def _prepare_export_dir(path: Path, inventory: Inventory) -> None:
    """The export directory exists (created if missing) and holds no CSV of ours yet."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MigrationError(
            f"cannot create export directory {path}: {error}", EXIT_USAGE
        ) from error
    for relation in inventory.target_tables:
        if (path / f"{relation.identifier}.csv").exists():
            raise MigrationError(
                f"{path / relation.identifier}.csv exists: export to an empty directory",
                EXIT_USAGE,
            )


def _written(counts: dict[str, int]) -> str:
    """The tables holding application rows, with their counts ('' when none)."""
    return ", ".join(f"{table} {rows}" for table, rows in counts.items() if rows)


def _refusal(counts: dict[str, int]) -> MigrationError:
    return MigrationError(
        f"rollback refused: the application wrote rows to the new tables after the migration "
        f"({_written(counts)}); they would be lost. Save them with --export DIR, or drop them "
        "with --force. Nothing changed"
    )


def _with_retries(
    ctx: Context,
    connection,
    plan: Plan,
    request: Request,
    backup: Backup | None,
    selects: dict[str, str],
) -> Outcome:
    """Run the rollback transaction; when a lock is not granted within the attempt's time,
    undo and try again, LOCK_ATTEMPTS times in all, then give up naming the sessions in
    the way."""
    holders: list[tuple] = []
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        ctx.reporter.progress(
            f"rollback transaction, attempt {attempt}/{LOCK_ATTEMPTS}: locking "
            f"{len(plan.lock)} relations (lock_timeout {request.attempt_ms} ms)"
        )
        try:
            return _transaction(ctx, plan, request, backup, selects)
        except psycopg2.errors.LockNotAvailable:
            locked = [queries.regclass_text(schema, name) for schema, name in plan.lock]
            holders = fetch_all(connection, queries.LOCK_HOLDERS, (locked,))
            ctx.reporter.progress(f"attempt {attempt}: {_describe_holders(holders)}")
            if attempt < LOCK_ATTEMPTS:
                time.sleep(0.2)
    raise MigrationError(
        f"rollback gave up after {LOCK_ATTEMPTS} attempts of {request.attempt_ms} ms: "
        f"{_describe_holders(holders)}. Nothing changed; end that session or retry later"
    )


def _describe_holders(holders: list[tuple]) -> str:
    if not holders:
        return "the tables were locked by another session (it has finished since)"
    pid, user, application, activity_state, seconds, query, relation = holders[0]
    # another role's activity is visible only to superusers and pg_read_all_stats
    activity = (
        f"{activity_state} for {seconds}s, last query: {query}"
        if activity_state is not None
        else "its activity is visible only to a superuser or pg_read_all_stats"
    )
    more = f" and {len(holders) - 1} more lock(s)" if len(holders) > 1 else ""
    return (
        f"{relation} is locked by session pid {pid} (user {user}, "
        f"application '{application or '?'}', {activity}){more}"
    )


def _transaction(
    ctx: Context, plan: Plan, request: Request, backup: Backup | None, selects: dict[str, str]
) -> Outcome:
    """One attempt: everything in one transaction, committed only when it all succeeded."""
    inventory = ctx.inventory()
    outcome = Outcome()
    with transaction("rollback transaction") as connection:
        for statement in _locks(plan, request.attempt_ms):
            execute(connection, statement)
        # counted again under the locks: rows written since the check count too
        outcome.application_rows = count_application_rows(connection, selects, plan.target_tables)
        if _written(outcome.application_rows):
            if request.export_path is not None:
                outcome.exported = _export(
                    ctx, connection, selects, outcome.application_rows, request.export_path
                )
            elif not request.force:
                raise _refusal(outcome.application_rows)
        for statement in plan.changes:
            execute(connection, statement)
        ctx.reporter.progress(
            f"dropped {plan.views} views, {plan.tables} tables, {plan.types} enum types; "
            f"renamed {len(plan.renamed)} legacy table(s) back"
        )
        migration_schema = inventory.migration_schema
        if (
            migration_schema not in (inventory.target_schema, inventory.legacy_schema)
            and fetch_value(connection, queries.OBJECTS_IN_SCHEMA, (migration_schema,)) == 0
        ):
            execute(connection, queries.drop_schema(migration_schema))
        if backup is not None:
            _check_legacy_tables(ctx, connection, backup, request, outcome)
    return outcome


def _check_legacy_tables(
    ctx: Context, connection, backup: Backup, request: Request, outcome: Outcome
) -> None:
    """Compare the legacy tables with the backup; with --restore-from-backup replace the
    damaged ones and compare again (inside the transaction)."""
    inventory = ctx.inventory()
    legacy, tables = inventory.legacy_schema, inventory.legacy_tables
    outcome.checks = backups.compare(connection, legacy, backup, tables)
    damaged = [check.table for check in outcome.checks if not check.ok and check.found]
    if request.restore_from is None or not damaged:
        return
    outcome.restored = backups.restore(connection, legacy, backup, damaged, tables)
    ctx.reporter.progress(f"restored from {backup.name}: {', '.join(outcome.restored)}")
    outcome.checks = backups.compare(connection, legacy, backup, tables)
    if not outcome.legacy_tables_match:
        failed = "; ".join(check.describe() for check in outcome.checks if not check.ok)
        raise MigrationError(
            f"restore from {backup.name} did not bring back the checksums ({failed}); "
            "the whole rollback was undone"
        )


def _export(
    ctx: Context, connection, selects: dict[str, str], counts: dict[str, int], directory: Path
) -> list[Path]:
    """Save the application's rows of each table to <directory>/<table>.csv (with header)."""
    written = []
    for table, rows in counts.items():
        if not rows:
            continue
        path = directory / f"{table}.csv"
        with open(path, "x", encoding="utf-8", newline="") as handle, connection.cursor() as cursor:
            cursor.copy_expert(queries.copy_to_csv(selects[table]).as_string(connection), handle)
        ctx.reporter.progress(f"exported {rows} application rows of {table} to {path}")
        written.append(path)
    return written


def _verdict(outcome: Outcome, backup: Backup | None) -> str:
    """What the rollback found, for the run log and the report's last line."""
    if backup is None:
        return "rolled back; no verified backup to check the legacy tables against"
    if outcome.legacy_tables_match:
        return f"rolled back; legacy tables match backup {backup.name}"
    differing = ", ".join(check.table for check in outcome.checks if not check.ok)
    return f"rolled back; legacy tables differ from backup {backup.name}: {differing}"


def _report(ctx: Context, plan: Plan, outcome: Outcome, backup: Backup | None, run_id: int) -> None:
    """Print what the committed rollback did, once the run log has its outcome."""
    reporter = ctx.reporter
    for table in plan.renamed:
        reporter.result(f"Renamed {table}{RENAMED_SUFFIX} back to {table}")
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
    reporter.result(f"{verdict[0].upper()}{verdict[1:]}; run log #{run_id}")
    if backup is not None and not outcome.legacy_tables_match:
        reporter.result(
            f"The rollback is committed. The legacy tables changed since {backup.name} was taken: "
            "rows the old application wrote since then are expected; if instead a table was "
            "damaged, `forecast-migrate rollback --restore-from-backup "
            f"{backup.name}` replaces it with the backup's copy (discarding those rows)"
        )
