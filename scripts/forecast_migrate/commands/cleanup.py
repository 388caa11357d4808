"""`forecast-migrate cleanup`: the runbook's clean-up after 30 days.

Lists the backups and the legacy tables with their age. A dry run by default: it prints the
SQL it would run. With --execute it drops backups older than the retention (30 days, see
--older-than) and, only with --legacy-tables, the legacy tables once the migration is that
old and the reconciliation tests pass. Anything younger is refused without --force."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, queries, run_log
from ..backups import Backup
from ..context import Context
from ..database import as_text, execute, transaction
from ..inventory import Inventory
from ..progress import DbtProgress
from ..state import Transition, read_transition

DEFAULT_RETENTION_DAYS = 30
LOCK_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Plan:
    """What cleanup would drop, what it keeps and why, and what it refuses."""

    backup_rows: tuple[tuple, ...]  # backup, taken, age, action
    legacy_rows: tuple[tuple, ...]  # table, migrated, age, action
    backups: tuple[Backup, ...]
    legacy_tables: tuple[str, ...]
    legacy_views: tuple[tuple[str, str], ...]  # the project's views that read the legacy tables
    refusals: tuple[str, ...]

    def statements(self, inventory: Inventory) -> list:
        statements = [queries.drop_schema(backup.name, cascade=True) for backup in self.backups]
        if self.legacy_tables:
            if self.legacy_views:
                statements.append(queries.with_relations("drop view {}", self.legacy_views))
            legacy = ((inventory.legacy_schema, table) for table in self.legacy_tables)
            statements.append(queries.with_relations("drop table {}", legacy))
        return statements


def run(
    ctx: Context,
    execute: bool = False,
    legacy_tables: bool = False,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    force: bool = False,
) -> int:
    """List, then (with execute) drop what is past its retention; 1 when something asked
    for is refused."""
    if retention_days < 0:
        raise MigrationError("--older-than must not be negative", EXIT_USAGE)
    inventory = ctx.inventory()
    with ctx.connected() as connection:
        transition = read_transition(connection, inventory)
        found = backups.list_backups(connection)
        now = backups.server_now(connection)
        plan = make_plan(inventory, transition, found, now, legacy_tables, retention_days, force)
        print_plan(ctx, plan, retention_days)
        statements = plan.statements(inventory)
        exit_code = EXIT_CHECK_FAILED if plan.refusals else EXIT_OK
        if not execute:
            ctx.reporter.result()
            if not statements:
                ctx.reporter.result("Dry run: nothing to drop.")
                return exit_code
            ctx.reporter.result("Dry run; with --execute cleanup would run:")
            for statement in statements:
                ctx.reporter.result(f"  {as_text(connection, statement)};")
            return exit_code
        if not statements:
            ctx.reporter.result("Nothing to drop.")
            return exit_code
        with run_log.exclusive(connection, "cleanup"):
            tables = f" and the legacy tables {', '.join(plan.legacy_tables)}"
            ctx.confirm(
                f"Drop {len(plan.backups)} backup(s){tables if plan.legacy_tables else ''}?"
            )
            flags = (("--legacy-tables", legacy_tables), ("--force", force))
            arguments = " ".join(
                [flag for flag, on in flags if on] + [f"--older-than {retention_days}"]
            )
            with run_log.recorded(connection, "cleanup", arguments) as record:
                if plan.legacy_tables:
                    reconcile(ctx)
                with ctx.reporter.step(f"drop ({len(statements)} statements, one transaction)"):
                    drop(statements)
                record.counts.update(
                    {
                        "dropped_backups": [backup.name for backup in plan.backups],
                        "dropped_legacy_tables": list(plan.legacy_tables),
                    }
                )
                record.message = f"dropped {len(plan.backups)} backup(s)" + (
                    " and the legacy tables" if plan.legacy_tables else ""
                )
    for backup in plan.backups:
        ctx.reporter.result(f"Dropped backup {backup.name}")
    if plan.legacy_tables:
        tables = ", ".join(plan.legacy_tables)
        ctx.reporter.result(f'Dropped the legacy tables {tables} of "{inventory.legacy_schema}"')
    return exit_code


def make_plan(
    inventory: Inventory,
    transition: Transition,
    found: list[Backup],
    now: datetime.datetime,
    legacy_tables: bool,
    retention_days: int,
    force: bool,
) -> Plan:
    """Decide what may go: backups past the retention, and the legacy tables when asked
    for and the migration is old enough (or --force)."""
    retention = datetime.timedelta(days=retention_days)
    dropped, backup_rows = [], []
    for backup in found:
        old_enough = now - backup.created_at >= retention
        action = "drop" if old_enough else ("drop (--force)" if force else "keep: too young")
        if old_enough or force:
            dropped.append(backup)
        taken = f"{backup.created_at:%Y-%m-%d %H:%M}"
        backup_rows.append((backup.name, taken, round(backup.age_days(now), 1), action))

    present = transition.objects.legacy_tables
    last = transition.last_successful_migrate
    migrated_at = last.finished_at if last is not None else None
    age = (now - migrated_at).total_seconds() / 86400 if migrated_at else None
    if not transition.migrated:
        migrated_text = "not migrated"
    elif migrated_at is None:
        migrated_text = "not by forecast-migrate"
    else:
        migrated_text = f"{migrated_at:%Y-%m-%d %H:%M}"
    action = "drop" if legacy_tables else "keep (drop with --legacy-tables)"
    age_text = round(age, 1) if age is not None else ""
    legacy_rows = tuple((table, migrated_text, age_text, action) for table in present)

    refusals = []
    if legacy_tables and present and not transition.migrated:
        refusals.append("the database is not migrated")
    elif legacy_tables and present and (age is None or age < retention_days) and not force:
        how_old = "of unknown age" if age is None else f"{age:.1f} days old"
        refusals.append(f"the migration is {how_old}, younger than {retention_days} days")
    drop_legacy = legacy_tables and bool(present) and not refusals
    present_names = {obj.name for obj in transition.objects.relations}
    legacy_views = tuple(
        relation.key
        for relation in inventory.relations
        if relation.is_view
        and relation.schema != inventory.target_schema
        and relation.identifier in present_names
    )
    return Plan(
        backup_rows=tuple(backup_rows),
        legacy_rows=legacy_rows,
        backups=tuple(dropped),
        legacy_tables=tuple(present) if drop_legacy else (),
        legacy_views=legacy_views if drop_legacy else (),
        refusals=tuple(refusals),
    )


def print_plan(ctx: Context, plan: Plan, retention_days: int) -> None:
    """The backups and legacy tables with their age and what cleanup does with each."""
    reporter = ctx.reporter
    reporter.result(f"Backups (retention {retention_days} days):")
    if plan.backup_rows:
        reporter.table(["backup", "taken", "age (days)", "action"], plan.backup_rows)
    else:
        reporter.result("  none")
    reporter.result(f'Legacy tables of "{ctx.inventory().legacy_schema}":')
    if not plan.legacy_rows:
        reporter.result("  none left")
        return
    reporter.table(["table", "migrated", "age (days)", "action"], plan.legacy_rows)
    for refusal in plan.refusals:
        reporter.result(f"  refused: legacy tables kept, {refusal} (--force overrides age)")


def reconcile(ctx: Context) -> None:
    """Run the verification tests of runbook Step 4 (every data test but the source
    tests); the legacy tables are dropped only when none fails."""
    progress = DbtProgress(ctx.reporter)
    with (
        ctx.reporter.step("reconciliation tests (dbt test --exclude source:*)"),
        progress.running(),
    ):
        result = ctx.dbt().invoke(["test", "--exclude", "source:*"], callbacks=[progress])
    if not result.success or progress.problems():
        raise MigrationError(
            f"reconciliation tests failed ({progress.first_problem()}): the legacy tables are kept"
        )
    ctx.reporter.result(f"Reconciliation tests: {progress.count('test', 'pass', 'warn')} passed")


def drop(statements: list) -> None:
    """Run the drops in one transaction that gives up rather than wait for locks."""
    with transaction("cleanup transaction") as connection:
        execute(connection, queries.set_lock_timeout(LOCK_TIMEOUT_MS))
        for statement in statements:
            execute(connection, statement)
