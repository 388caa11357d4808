"""`forecast-migrate cleanup`: the runbook's clean-up after 30 days.

Lists the backups and the legacy tables with their age. A dry run by default: it prints the
SQL it would run. With --execute it drops backups older than the retention (30 days, see
--older-than) and, only with --legacy-tables, the legacy tables once the migration is that
old and the reconciliation tests pass. Anything younger is refused without --force."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, ledger, queries
from ..backups import Backup
from ..catalog import Catalog
from ..context import Context
from ..database import as_text, connect, execute
from ..progress import DbtProgress
from ..state import Transition, inspect

DEFAULT_RETENTION_DAYS = 30
LOCK_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Plan:
    """What cleanup would drop, and what it refuses."""

    backups: tuple[Backup, ...]
    legacy_tables: tuple[str, ...]
    legacy_views: tuple[tuple[str, str], ...]  # the project's views that read the legacy tables
    refusals: tuple[str, ...]

    def statements(self, catalog: Catalog) -> list:
        statements = [queries.drop_schema(backup.name, cascade=True) for backup in self.backups]
        if self.legacy_tables:
            if self.legacy_views:
                statements.append(queries.drop_views(self.legacy_views))
            statements.append(
                queries.drop_tables((catalog.legacy_schema, table) for table in self.legacy_tables)
            )
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
    connection = ctx.connect()
    try:
        catalog = ctx.catalog()
        transition = inspect(connection, catalog)
        now = backups.server_now(connection)
        plan = make_plan(
            ctx, connection, catalog, transition, now, legacy_tables, retention_days, force
        )
        statements = plan.statements(catalog)
        if not execute:
            ctx.reporter.result()
            if statements:
                ctx.reporter.result("Dry run; with --execute cleanup would run:")
                for statement in statements:
                    ctx.reporter.result(f"  {as_text(connection, statement)};")
            else:
                ctx.reporter.result("Dry run: nothing to drop.")
            return EXIT_CHECK_FAILED if plan.refusals else EXIT_OK
        if not statements:
            ctx.reporter.result("Nothing to drop.")
            return EXIT_CHECK_FAILED if plan.refusals else EXIT_OK
        with ledger.exclusive(connection, "cleanup"):
            ctx.confirm(
                f"Drop {len(plan.backups)} backup(s)"
                + (
                    f" and the legacy tables {', '.join(plan.legacy_tables)}"
                    if plan.legacy_tables
                    else ""
                )
                + "?"
            )
            arguments = " ".join(
                flag for flag, on in (("--legacy-tables", legacy_tables), ("--force", force)) if on
            )
            with ledger.recorded(
                connection, "cleanup", f"{arguments} --older-than {retention_days}"
            ) as record:
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
    finally:
        connection.close()
    for backup in plan.backups:
        ctx.reporter.result(f"Dropped backup {backup.name}")
    if plan.legacy_tables:
        tables = ", ".join(plan.legacy_tables)
        ctx.reporter.result(f'Dropped the legacy tables {tables} of "{catalog.legacy_schema}"')
    return EXIT_CHECK_FAILED if plan.refusals else EXIT_OK


def make_plan(
    ctx: Context,
    connection,
    catalog: Catalog,
    transition: Transition,
    now: datetime.datetime,
    legacy_tables: bool,
    retention_days: int,
    force: bool,
) -> Plan:
    """List backups and legacy tables with their age and decide what may go."""
    reporter = ctx.reporter
    retention = datetime.timedelta(days=retention_days)
    found = backups.list_backups(connection)
    dropped: list[Backup] = []
    rows = []
    for backup in found:
        old_enough = now - backup.created_at >= retention
        action = "drop" if old_enough else ("drop (--force)" if force else "keep: too young")
        if old_enough or force:
            dropped.append(backup)
        rows.append(
            (
                backup.name,
                f"{backup.created_at:%Y-%m-%d %H:%M}",
                round(backup.age_days(now), 1),
                action,
            )
        )
    reporter.result(f"Backups (retention {retention_days} days):")
    if rows:
        reporter.table(["backup", "taken", "age (days)", "action"], rows)
    else:
        reporter.result("  none")

    refusals: list[str] = []
    present = transition.objects.legacy_tables
    last = transition.last_successful_migrate
    reporter.result(f'Legacy tables of "{catalog.legacy_schema}":')
    if not present:
        reporter.result("  none left")
    else:
        migrated_at = last.finished_at if last is not None else None
        age = (now - migrated_at).total_seconds() / 86400 if migrated_at else None
        if not transition.migrated:
            migrated_text = "not migrated"
        elif migrated_at is None:
            migrated_text = "not by forecast-migrate"
        else:
            migrated_text = f"{migrated_at:%Y-%m-%d %H:%M}"
        reporter.table(
            ["table", "migrated", "age (days)", "action"],
            [
                (
                    table,
                    migrated_text,
                    round(age, 1) if age is not None else "",
                    "drop" if legacy_tables else "keep (drop with --legacy-tables)",
                )
                for table in present
            ],
        )
        if legacy_tables:
            if not transition.migrated:
                refusals.append("the database is not migrated")
            elif (age is None or age < retention_days) and not force:
                how_old = "of unknown age" if age is None else f"{age:.1f} days old"
                refusals.append(f"the migration is {how_old}, younger than {retention_days} days")
        for refusal in refusals:
            reporter.result(f"  refused: legacy tables kept, {refusal} (--force overrides age)")
    drop_legacy = legacy_tables and bool(present) and not refusals
    present_names = {obj.name for obj in transition.objects.relations}
    return Plan(
        backups=tuple(dropped),
        legacy_tables=tuple(present) if drop_legacy else (),
        legacy_views=tuple(
            relation.key
            for relation in catalog.relations
            if relation.is_view
            and relation.schema != catalog.target_schema
            and relation.identifier in present_names
        )
        if drop_legacy
        else (),
        refusals=tuple(refusals),
    )


def reconcile(ctx: Context) -> None:
    """Run the verification tests of runbook Step 4 (every data test but the source
    tests); the legacy tables are dropped only when none fails."""
    progress = DbtProgress(ctx.reporter)
    with (
        ctx.reporter.step("reconciliation tests (dbt test --exclude source:*)"),
        progress.ticking(),
    ):
        result = ctx.dbt().invoke(["test", "--exclude", "source:*"], callbacks=[progress])
    problems = progress.problems()
    if not result.success or problems:
        first = f"{problems[0].name}: {problems[0].message}" if problems else "see logs"
        raise MigrationError(f"reconciliation tests failed ({first}): the legacy tables are kept")
    ctx.reporter.result(f"Reconciliation tests: {progress.count('test', 'pass', 'warn')} passed")


def drop(statements: list) -> None:
    """Run the drops in one transaction that gives up rather than wait for locks."""
    connection = connect("cleanup transaction", autocommit=False)
    try:
        execute(connection, queries.set_lock_timeout(LOCK_TIMEOUT_MS))
        for statement in statements:
            execute(connection, statement)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
