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
from ..state import DEFAULT_RETENTION_DAYS, Transition, read_transition

LOCK_TIMEOUT_MS = 5000
# the analyses of the clean-up of the legacy tables, compiled by dbt, run in our transaction
COMPARE_ANALYSIS = "legacy_compat_differences"
REPLACE_ANALYSIS = "legacy_tables_replaced_by_views"


@dataclass(frozen=True)
class Plan:
    """What cleanup would drop, what it keeps and why, and what it refuses."""

    backup_rows: list[tuple]  # backup, taken, age, action
    legacy_rows: list[tuple]  # table, migrated, age, action
    backups: list[Backup]  # to drop
    legacy_tables: tuple[str, ...]  # to replace by views, after the statements
    statements: list  # the drops: backups, then the project's views that read the legacy tables
    refusal: str | None  # why the legacy tables asked for are kept

    @property
    def empty(self) -> bool:
        return not (self.statements or self.legacy_tables)


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
    with ctx.connected() as connection:
        plan = make_plan(ctx, connection, legacy_tables, retention_days, force)
        print_plan(ctx, plan, retention_days)
        if not execute:
            print_dry_run(ctx, connection, plan)
        elif plan.empty:
            ctx.reporter.result("Nothing to drop.")
        else:
            flags = (("--legacy-tables", legacy_tables), ("--force", force))
            arguments = [flag for flag, on in flags if on] + [f"--older-than {retention_days}"]
            execute_plan(ctx, connection, plan, " ".join(arguments))
    return EXIT_CHECK_FAILED if plan.refusal else EXIT_OK


def make_plan(ctx: Context, connection, legacy_tables: bool, retention_days: int, force: bool):
    """Decide what may go: backups past the retention, and the legacy tables when asked
    for and the migration is old enough (or --force)."""
    inventory = ctx.inventory()
    transition = read_transition(connection, inventory)
    now = backups.server_now(connection)
    found = backups.list_backups(connection)
    dropped, backup_rows = plan_backups(found, now, retention_days, force)
    statements = [queries.drop_schema(backup.name, cascade=True) for backup in dropped]
    last = transition.last_successful_migrate
    migrated_at = last.finished_at if last is not None else None
    age = (now - migrated_at).total_seconds() / 86400 if migrated_at else None
    asked = legacy_tables and bool(transition.objects.legacy_tables)
    refusal = legacy_refusal(inventory, transition, age, retention_days, force) if asked else None
    replaced = transition.objects.legacy_tables if asked and not refusal else ()
    present = {obj.name for obj in transition.objects.relations}
    views = [
        (relation.schema, relation.identifier)
        for relation in inventory.relations
        if relation.is_view
        and relation.schema != inventory.target_schema
        and relation.identifier in present
    ]
    if replaced and views:
        statements.append(queries.with_relations("drop view {}", views))
    legacy_rows = plan_legacy_rows(transition, migrated_at, age, legacy_tables)
    return Plan(backup_rows, legacy_rows, dropped, replaced, statements, refusal)


def plan_backups(found: list[Backup], now: datetime.datetime, retention_days: int, force: bool):
    """The backups to drop, and a row per backup: name, taken, age, action."""
    dropped, rows = [], []
    for backup in found:
        old_enough = now - backup.created_at >= datetime.timedelta(days=retention_days)
        action = "drop" if old_enough else ("drop (--force)" if force else "keep: too young")
        if old_enough or force:
            dropped.append(backup)
        taken = f"{backup.created_at:%Y-%m-%d %H:%M}"
        rows.append((backup.name, taken, round(backup.age_days(now), 1), action))
    return dropped, rows


def plan_legacy_rows(
    transition: Transition, migrated_at: datetime.datetime | None, age: float | None, replace: bool
) -> list[tuple]:
    """A row per legacy table: name, when migrated, age, action."""
    if not transition.migrated:
        migrated = "not migrated"
    elif migrated_at is None:
        migrated = "not by forecast-migrate"
    else:
        migrated = f"{migrated_at:%Y-%m-%d %H:%M}"
    action = "replace by a view" if replace else "keep (replace with --legacy-tables)"
    age_text = round(age, 1) if age is not None else ""
    return [(table, migrated, age_text, action) for table in transition.objects.legacy_tables]


def legacy_refusal(
    inventory: Inventory,
    transition: Transition,
    age: float | None,
    retention_days: int,
    force: bool,
) -> str | None:
    """Why the legacy tables may not be replaced yet, if they may not."""
    missing = sorted(set(inventory.legacy_tables) - set(transition.objects.legacy_tables))
    if not transition.migrated:
        return "the database is not migrated"
    if missing:
        return f"the legacy schema lacks {', '.join(missing)}"
    if (age is None or age < retention_days) and not force:
        how_old = "of unknown age" if age is None else f"{age:.1f} days old"
        return f"the migration is {how_old}, younger than {retention_days} days"
    return None


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
    if plan.refusal:
        reporter.result(f"  refused: legacy tables kept, {plan.refusal} (--force overrides age)")


def print_dry_run(ctx: Context, connection, plan: Plan) -> None:
    """What --execute would run."""
    ctx.reporter.result()
    if plan.empty:
        ctx.reporter.result("Dry run: nothing to drop.")
        return
    ctx.reporter.result("Dry run; with --execute cleanup would run, in one transaction:")
    for statement in plan.statements:
        ctx.reporter.result(f"  {as_text(connection, statement)};")
    if plan.legacy_tables:
        ctx.reporter.result(
            f"  the statements of analysis {REPLACE_ANALYSIS} (`dbt compile --select "
            f"{REPLACE_ANALYSIS}` shows them), once the legacy tables are locked and "
            f"analysis {COMPARE_ANALYSIS} finds no difference"
        )


def execute_plan(ctx: Context, connection, plan: Plan, arguments: str) -> None:
    """Under the migration lock, once confirmed and recorded in the run log: the
    reconciliation tests (for the legacy tables), then the clean-up transaction."""
    with run_log.exclusive(connection, "cleanup"):
        tables = f" and replace the legacy tables {', '.join(plan.legacy_tables)} by views"
        ctx.confirm(f"Drop {len(plan.backups)} backup(s){tables if plan.legacy_tables else ''}?")
        with run_log.recorded(connection, "cleanup", arguments) as record:
            compiled = {}
            if plan.legacy_tables:
                reconcile(ctx)
                compiled = ctx.dbt().compiled(f"{COMPARE_ANALYSIS} {REPLACE_ANALYSIS}")
            with ctx.reporter.step("clean-up transaction"):
                clean_up(ctx, plan, compiled)
            record.counts["dropped_backups"] = [backup.name for backup in plan.backups]
            record.counts["legacy_tables_replaced_by_views"] = list(plan.legacy_tables)
            record.message = f"dropped {len(plan.backups)} backup(s)" + (
                "; the legacy tables are views now" if plan.legacy_tables else ""
            )
    for backup in plan.backups:
        ctx.reporter.result(f"Dropped backup {backup.name}")
    if plan.legacy_tables:
        ctx.reporter.result(
            f"Replaced the legacy tables {', '.join(plan.legacy_tables)} of "
            f'"{ctx.inventory().legacy_schema}" by read-only views over the new tables: '
            "old queries return the same rows, writes fail"
        )


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


def clean_up(ctx: Context, plan: Plan, compiled: dict[str, str]) -> None:
    """The clean-up transaction, which gives up rather than wait for locks: lock the legacy
    tables, refuse unless every compat view equals its legacy table, drop, replace the
    tables (analyses `compiled` by dbt)."""
    with transaction("cleanup transaction") as connection:
        execute(connection, queries.set_lock_timeout(LOCK_TIMEOUT_MS))
        if plan.legacy_tables:
            legacy = [(ctx.inventory().legacy_schema, table) for table in plan.legacy_tables]
            lock = queries.with_relations("lock table {} in access exclusive mode", legacy)
            execute(connection, lock)
            require_equal_compat_views(connection, compiled[COMPARE_ANALYSIS])
            tables = ", ".join(plan.legacy_tables)
            ctx.reporter.result(f"Compat views equal their legacy tables: {tables}")
        for statement in plan.statements:
            execute(connection, statement)
        if plan.legacy_tables:
            execute(connection, compiled[REPLACE_ANALYSIS])


def require_equal_compat_views(connection, compare_select: str) -> None:
    """Refuse when a compat view no longer returns its legacy table's rows."""
    differences = [
        f"{table}: {only_legacy} row(s) only in the table, {only_compat} only in {view}"
        for table, view, only_legacy, only_compat in fetch_all(connection, compare_select)
        if only_legacy or only_compat
    ]
    if differences:
        raise MigrationError(
            f"a compat view no longer equals its legacy table ({'; '.join(differences)})"
            ": the legacy tables changed since the last build; run `forecast-migrate "
            "migrate --rerun`, then clean up again. Nothing was dropped",
            EXIT_CHECK_FAILED,
        )
