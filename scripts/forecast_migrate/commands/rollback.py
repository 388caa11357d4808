"""`forecast-migrate rollback`: the runbook's rollback plan, guarded.

In one transaction: drop what the dbt project created (inventory.py), rename back the legacy
tables a hand-run migration renamed, optionally restore damaged legacy tables from a backup,
and verify the legacy tables against the latest verified backup. Refuses to lose rows the
application wrote unless --force or --export DIR; retries while other sessions hold locks."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, queries, run_log
from ..context import Context
from ..database import execute, fetch_all, fetch_value, transaction
from ..inventory import RENAMED_SUFFIX, Objects, application_rows, count_application_rows, find
from ..state import require_create_rights, require_ownership

DEFAULT_LOCK_TIMEOUT_SECONDS = 15.0
LOCK_ATTEMPTS = 3
WRITABLE = "legacy_tables_writable"  # the analysis that drops the guard of `cutover`


def run(
    ctx: Context,
    force: bool = False,
    export: str | None = None,
    restore_from_backup: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    print_sql: bool = False,
) -> int:
    backups.validate_name(restore_from_backup)
    if lock_timeout <= 0:
        raise MigrationError("--lock-timeout must be positive", EXIT_USAGE)
    export_path = Path(export) if export else None
    attempt_ms = max(int(lock_timeout * 1000 / LOCK_ATTEMPTS), 1)
    with ctx.connected() as connection:
        rollback = Rollback(ctx, connection, attempt_ms, force, export_path, restore_from_backup)
        if not print_sql:
            with run_log.exclusive(connection, "rollback"):
                return rollback.run()
        # --print-sql: the statements of the transaction; runs nothing
        rollback.plan(find(connection, ctx.inventory))
        for statement in [*rollback.locks, *rollback.changes]:
            ctx.reporter.result(f"{statement.as_string(connection)};")
        drop_schema = queries.drop_schema(ctx.inventory.migration_schema).as_string(connection)
        ctx.reporter.result(f"-- then, if the migration schema is left empty: {drop_schema};")
    return EXIT_OK


@dataclass
class Rollback:
    """One rollback on `connection` (which holds the migration lock): its plan and its outcome."""

    ctx: Context
    connection: Any
    attempt_ms: int  # the lock_timeout of each of the LOCK_ATTEMPTS attempts
    force: bool = False
    export_path: Path | None = None
    restore_from: str | None = None
    backup: backups.Backup | None = None  # the backup to check the legacy tables against

    def plan(self, objects: Objects) -> None:
        """The drops, renames back and revokes; refuses when the legacy tables are unclear."""
        inventory = self.ctx.inventory
        legacy, self.renamed = inventory.legacy_schema, objects.renamed_legacy
        if objects.retired_legacy:
            retired = ", ".join(f'"{legacy}".{name}' for name in objects.retired_legacy)
            raise MigrationError(
                f"the clean-up replaced the legacy tables by views ({retired}): the new tables "
                "hold the only copy of the data, so rollback refuses; nothing changed (to go "
                "back, restore a snapshot taken before the clean-up)",
                EXIT_CHECK_FAILED,
            )
        if conflicting := [table for table in self.renamed if table in objects.legacy_tables]:
            raise MigrationError(
                f'both "{legacy}".{conflicting[0]} and {conflicting[0]}{RENAMED_SUFFIX} exist: '
                "decide which one is the legacy table before rolling back; nothing changed"
            )
        present = objects.relations + objects.types
        drops = {
            kind: [(obj.schema, obj.name) for obj in present if obj.kind == kind]
            for kind in ("view", "table", "type")
        }
        self.dropped = {f"{kind}s": len(names) for kind, names in drops.items()}  # for the log
        self.changes = [
            queries.with_relations(f"drop {kind} {{}}", names)
            for kind, names in drops.items()
            if names
        ]
        # the USAGE the migration granted on the target schema (while its model exists); the
        # grantee as the GRANT named it: a quoted role name or `public`
        granted = inventory.relation("granted_schema_usage").identifier
        if any(obj.name == granted for obj in objects.relations):
            revoke = sql.SQL("revoke usage on schema {} from {}")
            self.changes += [
                revoke.format(sql.Identifier(inventory.target_schema), sql.SQL(row["grantee"]))
                for row in self.ctx.dbt.show_one("granted_schema_usage_to_revoke")
            ]
        rename = sql.SQL("alter table {} rename to {}")
        self.changes += [
            rename.format(sql.Identifier(legacy, name + RENAMED_SUFFIX), sql.Identifier(name))
            for name in self.renamed
        ]
        if objects.read_only_legacy:  # the cut-over's guard: the legacy tables take writes again
            self.changes += [sql.SQL(text) for text in self.ctx.dbt.compiled(WRITABLE).values()]
        # the tables to lock first (LOCK on a view also locks what it reads, the catalog included)
        self.to_lock = [
            *drops["table"],
            *((legacy, name) for name in objects.legacy_tables),
            *((legacy, name + RENAMED_SUFFIX) for name in self.renamed),
        ]
        lock = queries.with_relations("lock table {} in access exclusive mode", self.to_lock)
        self.locks = [queries.set_lock_timeout(self.attempt_ms), *([lock] if self.to_lock else [])]
        targets = {(inventory.target_schema, table.identifier) for table in inventory.target_tables}
        self.target_tables = tuple(key[1] for key in drops["table"] if key in targets)

    def run(self) -> int:
        ctx, connection, inventory = self.ctx, self.connection, self.ctx.inventory
        objects = find(connection, inventory)
        if objects.nothing_present and self.restore_from is None:
            raise MigrationError(
                f"nothing to roll back: no table, view or enum type of the project exists in "
                f'"{inventory.target_schema}" or "{inventory.migration_schema}" and no legacy '
                "table is renamed (never migrated, or rolled back already). Nothing changed"
            )
        if (path := self.export_path) is not None:  # created if missing, without our CSVs yet
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise MigrationError(
                    f"cannot create export directory {path}: {error}", EXIT_USAGE
                ) from error
            for table in inventory.target_tables:
                if (path / f"{table.identifier}.csv").exists():
                    raise MigrationError(
                        f"{path / table.identifier}.csv exists: export to an empty directory",
                        EXIT_USAGE,
                    )
        self.plan(objects)
        require_ownership(connection, objects)
        require_create_rights(connection, inventory, new_schemas=run_log.locate(connection) is None)
        if self.restore_from is None:
            verified = [backup for backup in backups.list_backups(connection) if backup.verified_at]
            self.backup = verified[-1] if verified else None
        else:
            self.backup = backups.read_existing(connection, self.restore_from)
        ctx.reporter.result(
            f"Rollback: {objects.summary()}; {len(self.renamed)} renamed legacy table(s)"
        )
        self.selects = application_rows(ctx.dbt)
        self._count_application_rows(connection, report=True)
        views, tables, types = self.dropped.values()
        ctx.confirm(f"Drop {views} views, {tables} tables and {types} enum types of the migration?")
        arguments = [
            "--force" if self.force else "",
            f"--export {self.export_path}" if self.export_path else "",
            f"--restore-from-backup {self.restore_from}" if self.restore_from else "",
        ]
        backup_name = self.backup.name if self.backup else None
        with run_log.recorded(connection, "rollback", arguments, backup_name) as record:
            self._with_retries()
            record.counts.update(
                dropped=self.dropped,
                renamed=list(self.renamed),
                application_rows=self.application_rows,
                exported=[str(path) for path in self.exported],
                restored=self.restored,
                verified={check.table: check.ok for check in self.checks},
            )
            record.message = self.verdict()
        # what the committed rollback did, once the run log has its outcome
        reporter, backup = ctx.reporter, self.backup
        for table in self.renamed:
            reporter.result(f"Renamed {table}{RENAMED_SUFFIX} back to {table}")
        for path in self.exported:
            reporter.result(f"Saved application rows to {path}")
        if backup is None:
            reporter.result("No verified backup: the legacy tables could not be checked")
        else:
            reporter.result(
                f"Legacy tables against backup {backup.name} "
                f"(taken {backup.created_at:%Y-%m-%d %H:%M:%S %Z}):"
            )
            for check in self.checks:
                restored = " (restored)" if check.table in self.restored else ""
                reporter.result(f"  {check.describe()}{restored}")
        verdict = self.verdict()
        reporter.result(f"{verdict[0].upper()}{verdict[1:]}; run log #{record.run_id}")
        if backup is not None and not self.legacy_tables_match:
            reporter.result(
                f"The rollback is committed. The legacy tables changed since {backup.name} was "
                "taken: rows the old application wrote since then are expected; if instead a "
                "table was damaged, `forecast-migrate rollback --restore-from-backup "
                f"{backup.name}` replaces it with the backup's copy (discarding those rows)"
            )
        return EXIT_OK if self.legacy_tables_match else EXIT_CHECK_FAILED

    @property
    def legacy_tables_match(self) -> bool:
        return all(check.ok for check in self.checks)

    def _with_retries(self) -> None:
        """The transaction, tried again while a lock is not granted in time (LOCK_ATTEMPTS)."""
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            self.ctx.reporter.progress(
                f"rollback transaction, attempt {attempt}/{LOCK_ATTEMPTS}: locking "
                f"{len(self.to_lock)} relations (lock_timeout {self.attempt_ms} ms)"
            )
            try:
                return self._transaction()
            except psycopg2.errors.LockNotAvailable:
                locked = [queries.regclass_text(schema, name) for schema, name in self.to_lock]
                holders = fetch_all(self.connection, queries.LOCK_HOLDERS, (locked,))
                in_the_way = "the tables were locked by another session (it has finished since)"
                if holders:
                    pid, user, application, activity_state, seconds, query, relation = holders[0]
                    activity = (
                        f"{activity_state} for {seconds}s, last query: {query}"
                        if activity_state is not None
                        else "its activity is visible only to a superuser or pg_read_all_stats"
                    )
                    more = f" and {len(holders) - 1} more lock(s)" if len(holders) > 1 else ""
                    in_the_way = (
                        f"{relation} is locked by session pid {pid} (user {user}, "
                        f"application '{application or '?'}', {activity}){more}"
                    )
                self.ctx.reporter.progress(f"attempt {attempt}: {in_the_way}")
                if attempt < LOCK_ATTEMPTS:
                    time.sleep(0.2)
        raise MigrationError(
            f"rollback gave up after {LOCK_ATTEMPTS} attempts of {self.attempt_ms} ms: "
            f"{in_the_way}. Nothing changed; end that session or retry later"
        )

    def _transaction(self) -> None:
        inventory = self.ctx.inventory
        self.exported, self.restored, self.checks = [], [], []
        with transaction("rollback transaction") as connection:
            for statement in self.locks:
                execute(connection, statement)
            # counted again under the locks: rows written since the check count too
            self._count_application_rows(connection)
            for table, rows in self.application_rows.items():  # to <export>/<table>.csv
                if self.export_path is None or not rows:
                    continue
                path = self.export_path / f"{table}.csv"
                with (
                    open(path, "x", encoding="utf-8", newline="") as handle,
                    connection.cursor() as cursor,
                ):
                    copy = f"copy ({self.selects[table]}) to stdout with (format csv, header)"
                    cursor.copy_expert(copy, handle)
                self.ctx.reporter.progress(f"exported {rows} application rows of {table} to {path}")
                self.exported.append(path)
            for statement in self.changes:
                execute(connection, statement)
            views, tables, types = self.dropped.values()
            self.ctx.reporter.progress(
                f"dropped {views} views, {tables} tables, {types} enum types; "
                f"renamed {len(self.renamed)} legacy table(s) back"
            )
            migration_schema = inventory.migration_schema
            if (
                migration_schema not in (inventory.target_schema, inventory.legacy_schema)
                and fetch_value(connection, queries.OBJECTS_IN_SCHEMA, (migration_schema,)) == 0
            ):
                execute(connection, queries.drop_schema(migration_schema))
            # the legacy tables against the backup; if asked, damaged ones restored from it
            if (backup := self.backup) is None:
                return
            legacy, tables = inventory.legacy_schema, inventory.legacy_tables
            self.checks = backups.compare(connection, legacy, backup, tables)
            damaged = [check.table for check in self.checks if not check.ok and check.found]
            if self.restore_from is None or not damaged:
                return
            self.restored = backups.restore(connection, inventory, backup, damaged)
            self.ctx.reporter.progress(f"restored from {backup.name}: {', '.join(self.restored)}")
            self.checks = backups.compare(connection, legacy, backup, tables)
            if failed := "; ".join(check.describe() for check in self.checks if not check.ok):
                raise MigrationError(
                    f"restore from {backup.name} did not bring back the checksums ({failed}); "
                    "the whole rollback was undone"
                )

    def _count_application_rows(self, connection, report: bool = False) -> None:
        counts = count_application_rows(connection, self.selects, self.target_tables)
        written = ", ".join(f"{table} {rows}" for table, rows in counts.items() if rows)
        if report:
            self.ctx.reporter.result(f"Application rows in the new tables: {written or 'none'}")
        if written and not (self.force or self.export_path):
            raise MigrationError(
                "rollback refused: the application wrote rows to the new tables after the "
                f"migration ({written}); they would be lost. Save them with --export DIR, or "
                "drop them with --force. Nothing changed"
            )
        self.application_rows = counts

    def verdict(self) -> str:
        """What the rollback found, for the run log and the report's last line."""
        if self.backup is None:
            return "rolled back; no verified backup to check the legacy tables against"
        if self.legacy_tables_match:
            return f"rolled back; legacy tables match backup {self.backup.name}"
        differing = ", ".join(check.table for check in self.checks if not check.ok)
        return f"rolled back; legacy tables differ from backup {self.backup.name}: {differing}"
