"""`forecast-migrate cleanup`: the runbook's clean-up after 30 days.

Lists the backups and the legacy tables with their age. A dry run by default: it prints what
it would do. With --execute it drops backups older than the retention (30 days, see
--older-than) and, only with --legacy-tables, once the migration is that old and the
reconciliation tests pass, replaces the legacy tables by read-only views of the same name
over the new tables, in one transaction: lock the legacy tables, find every compat view
still equal to its legacy table (analysis legacy_compat_differences), drop the project's
views that read the legacy tables, then run analysis legacy_tables_replaced_by_views. Old
queries keep their rows; writes to the old names fail with a message. Anything younger is
refused without --force."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, queries, run_log
from ..backups import Backup
from ..context import Context
from ..database import as_text, execute, fetch_all, transaction
from ..inventory import Inventory
from ..progress import DbtProgress
from ..state import Transition, read_transition

DEFAULT_RETENTION_DAYS = 30
LOCK_TIMEOUT_MS = 5000
# the analyses of the clean-up of the legacy tables, compiled by dbt, run in our transaction
COMPARE_ANALYSIS = "legacy_compat_differences"
REPLACE_ANALYSIS = "legacy_tables_replaced_by_views"


@dataclass(frozen=True)
class Plan:
    """What cleanup would drop, what it keeps and why, and what it refuses."""

    backup_rows: tuple[tuple, ...]  # backup, taken, age, action
    legacy_rows: tuple[tuple, ...]  # table, migrated, age, action
    backups: tuple[Backup, ...]
    legacy_tables: tuple[str, ...]
    legacy_views: tuple[tuple[str, str], ...]  # the project's views that read the legacy tables
    refusals: tuple[str, ...]

    def statements(self) -> list:
        """The drops (backups, then the project's views that read the legacy tables); the
        replacement of the legacy tables follows them in the same transaction (drop)."""
        statements = [queries.drop_schema(backup.name, cascade=True) for backup in self.backups]
        if self.legacy_tables and self.legacy_views:
            statements.append(queries.with_relations("drop view {}", self.legacy_views))
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
        statements = plan.statements()
        exit_code = EXIT_CHECK_FAILED if plan.refusals else EXIT_OK
        if not execute:
            ctx.reporter.result()
            if not (statements or plan.legacy_tables):
                ctx.reporter.result("Dry run: nothing to drop.")
                return exit_code
            ctx.reporter.result("Dry run; with --execute cleanup would run, in one transaction:")
            for statement in statements:
                ctx.reporter.result(f"  {as_text(connection, statement)};")
            if plan.legacy_tables:
                ctx.reporter.result(
                    f"  the statements of analysis {REPLACE_ANALYSIS} (`dbt compile --select "
                    f"{REPLACE_ANALYSIS}` shows them), once the legacy tables are locked and "
                    f"analysis {COMPARE_ANALYSIS} finds no difference"
                )
            return exit_code
        if not (statements or plan.legacy_tables):
            ctx.reporter.result("Nothing to drop.")
            return exit_code
        with run_log.exclusive(connection, "cleanup"):
            tables = f" and replace the legacy tables {', '.join(plan.legacy_tables)} by views"
            ctx.confirm(
                f"Drop {len(plan.backups)} backup(s){tables if plan.legacy_tables else ''}?"
            )
            flags = (("--legacy-tables", legacy_tables), ("--force", force))
            arguments = " ".join(
                [flag for flag, on in flags if on] + [f"--older-than {retention_days}"]
            )
            with run_log.recorded(connection, "cleanup", arguments) as record:
                compiled = {}
                if plan.legacy_tables:
                    reconcile(ctx)
                    compiled = ctx.dbt().compiled(f"{COMPARE_ANALYSIS} {REPLACE_ANALYSIS}")
                with ctx.reporter.step("clean-up transaction"):
                    drop(ctx, inventory, plan, statements, compiled)
                record.counts.update(
                    {
                        "dropped_backups": [backup.name for backup in plan.backups],
                        "legacy_tables_replaced_by_views": list(plan.legacy_tables),
                    }
                )
                record.message = f"dropped {len(plan.backups)} backup(s)" + (
                    "; the legacy tables are views now" if plan.legacy_tables else ""
                )
    for backup in plan.backups:
        ctx.reporter.result(f"Dropped backup {backup.name}")
    if plan.legacy_tables:
        tables = ", ".join(plan.legacy_tables)
        ctx.reporter.result(
            f'Replaced the legacy tables {tables} of "{inventory.legacy_schema}" by read-only '
            "views over the new tables: old queries return the same rows, writes fail"
        )
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
    action = "replace by a view" if legacy_tables else "keep (replace with --legacy-tables)"
    age_text = round(age, 1) if age is not None else ""
    legacy_rows = tuple((table, migrated_text, age_text, action) for table in present)

    refusals = []
    if legacy_tables and present and not transition.migrated:
        refusals.append("the database is not migrated")
    elif legacy_tables and present and set(present) != set(inventory.legacy_tables):
        missing = ", ".join(sorted(set(inventory.legacy_tables) - set(present)))
        refusals.append(f"the legacy schema lacks {missing}")
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
        reporter.result("  none left as tables (dropped, or views since the clean-up)")
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


def drop(
    ctx: Context, inventory: Inventory, plan: Plan, statements: list, compiled: dict[str, str]
) -> None:
    """One transaction that gives up rather than wait for locks: lock the legacy tables,
    refuse unless every compat view equals its legacy table, drop, replace the tables."""
    with transaction("cleanup transaction") as connection:
        execute(connection, queries.set_lock_timeout(LOCK_TIMEOUT_MS))
        if plan.legacy_tables:
            legacy = [(inventory.legacy_schema, table) for table in plan.legacy_tables]
            execute(
                connection, queries.with_relations("lock table {} in access exclusive mode", legacy)
            )
            differences = [
                f"{table}: {only_legacy} row(s) only in the table, {only_compat} only in {view}"
                for table, view, only_legacy, only_compat in fetch_all(
                    connection, compiled[COMPARE_ANALYSIS]
                )
                if only_legacy or only_compat
            ]
            if differences:
                raise MigrationError(
                    f"a compat view no longer equals its legacy table ({'; '.join(differences)})"
                    ": the legacy tables changed since the last build; run `forecast-migrate "
                    "migrate --rerun`, then clean up again. Nothing was dropped",
                    EXIT_CHECK_FAILED,
                )
            ctx.reporter.result(
                "Compat views equal their legacy tables: " + ", ".join(plan.legacy_tables)
            )
        for statement in statements:
            execute(connection, statement)
        if plan.legacy_tables:
            execute(connection, compiled[REPLACE_ANALYSIS])
