"""`forecast-migrate status`: where the transition stands. Writes nothing.

Migrated or not (and runs that were interrupted), the ledger's latest runs, legacy rows
written since the last build and not carried over yet, rows the application wrote to the
new tables, the backups and their age, and when cleanup becomes allowed."""

from __future__ import annotations

import datetime

import psycopg2

from .. import EXIT_OK, backups
from ..catalog import Catalog
from ..context import Context
from ..database import describe_target, fetch_value, one_line
from ..ledger import LEDGER_SCHEMA
from ..state import Transition, inspect
from . import rollback
from .cleanup import DEFAULT_RETENTION_DAYS

LEDGER_LINES = 8
# the counts of the runbook's "Migration complete" line, in its order
MIGRATED_COUNTS = ("curves", "instances", "prices", "schedules")


def run(ctx: Context) -> int:
    """Print the status report."""
    connection = ctx.connect()
    try:
        catalog = ctx.catalog()
        transition = inspect(connection, catalog)
        now = backups.server_now(connection)
        report_migration(ctx, catalog, transition, now)
        report_ledger(ctx, transition)
        if transition.objects.complete and transition.objects.legacy_tables:
            report_pending(ctx, connection, catalog)
        report_application_rows(ctx, connection, catalog, transition)
        report_backups_and_cleanup(ctx, connection, catalog, transition, now)
    finally:
        connection.close()
    return EXIT_OK


def _when(moment: datetime.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}" if moment else "-"


def report_migration(
    ctx: Context, catalog: Catalog, transition: Transition, now: datetime.datetime
) -> None:
    reporter = ctx.reporter
    reporter.result(f"Status of {describe_target()}")
    reporter.result(f"  migration: {transition.describe()}")
    last = transition.last_successful_migrate
    if last is not None:
        counts = ", ".join(
            f"{last.counts[name]} {name}" for name in MIGRATED_COUNTS if name in last.counts
        )
        reporter.result(
            f"  last successful migrate: run #{last.id}, finished {_when(last.finished_at)}"
            + (f" ({counts})" if counts else "")
        )
    objects = transition.objects
    reporter.result(
        f'  objects: {objects.summary()} (target schema "{catalog.target_schema}", migration '
        f'schema "{catalog.migration_schema}")'
    )
    legacy = ", ".join(objects.legacy_tables) or "none"
    reporter.result(f'  legacy tables in "{catalog.legacy_schema}": {legacy}')
    if objects.renamed_legacy:
        reporter.result(
            "  renamed by an earlier hand-run migration: "
            + ", ".join(f"{table}_legacy" for table in objects.renamed_legacy)
            + " (rollback renames them back)"
        )


def report_ledger(ctx: Context, transition: Transition) -> None:
    reporter = ctx.reporter
    reporter.result()
    if not transition.runs:
        reporter.result(f"Ledger ({LEDGER_SCHEMA}.runs): no runs recorded")
        return
    reporter.result(f"Ledger ({LEDGER_SCHEMA}.runs), latest first:")
    rows = []
    for run in transition.runs[:LEDGER_LINES]:
        took = (
            f"{(run.finished_at - run.started_at).total_seconds():.1f}s" if run.finished_at else ""
        )
        rows.append(
            (
                f"#{run.id}",
                run.command,
                transition.outcome(run),
                _when(run.started_at),
                took,
                run.backup_name or "",
                (run.message or "")[:70],
            )
        )
    reporter.table(["run", "command", "outcome", "started", "took", "backup", "message"], rows)
    latest = transition.runs[0]
    if transition.outcome(latest) == "interrupted":
        reporter.result(
            f"  run #{latest.id} ({latest.command}) was interrupted: its process ended without "
            f"recording an outcome; run `forecast-migrate {latest.command}` again, or roll back"
        )
    elif transition.outcome(latest) == "running":
        reporter.result(f"  run #{latest.id} ({latest.command}) is running now")


def report_pending(ctx: Context, connection, catalog: Catalog) -> None:
    """Legacy rows the next build would carry over (the project's rule, from the catalog)."""
    reporter = ctx.reporter
    reporter.result()
    reporter.result("Legacy rows written since the last build, not carried over yet:")
    rows = []
    for name, query in catalog.pending_legacy_rows.items():
        try:
            count = int(fetch_value(connection, query))
        except psycopg2.Error as error:
            count = f"unknown ({one_line(error.pgerror or error)[:60]})"
        label = "curve_definitions (changed)" if name.endswith("_changed") else name
        rows.append((label, count))
    reporter.table(["legacy table", "rows"], rows)
    if any(isinstance(count, int) and count for _, count in rows):
        reporter.result("  `forecast-migrate migrate --rerun` carries them over")


def report_application_rows(
    ctx: Context, connection, catalog: Catalog, transition: Transition
) -> None:
    present = {obj.name for obj in transition.objects.relations}
    tables = tuple(rel.identifier for rel in catalog.target_tables if rel.identifier in present)
    if not tables:
        return
    counts = rollback.count_application_rows(connection, catalog, tables)
    reporter = ctx.reporter
    reporter.result()
    written = {table: rows for table, rows in counts.items() if rows}
    if not written:
        reporter.result("Rows the application wrote to the new tables: none")
        return
    reporter.result(
        "Rows the application wrote to the new tables (rollback refuses; --export DIR saves them):"
    )
    reporter.table(["table", "rows"], list(written.items()))


def report_backups_and_cleanup(
    ctx: Context, connection, catalog: Catalog, transition: Transition, now: datetime.datetime
) -> None:
    reporter = ctx.reporter
    reporter.result()
    found = backups.list_backups(connection)
    retention = datetime.timedelta(days=DEFAULT_RETENTION_DAYS)
    if not found:
        reporter.result("Backups: none")
    else:
        reporter.result(
            f"Backups (cleanup drops them {DEFAULT_RETENTION_DAYS} days after they were taken):"
        )
        reporter.table(
            ["backup", "taken", "age (days)", "rows", "verified", "cleanup allowed from"],
            [
                (
                    backup.name,
                    _when(backup.created_at),
                    round(backup.age_days(now), 1),
                    sum(entry.rows for entry in backup.entries),
                    "yes" if backup.verified_at else "NO",
                    f"{backup.created_at + retention:%Y-%m-%d}",
                )
                for backup in found
            ],
        )
    last = transition.last_successful_migrate
    if transition.objects.legacy_tables:
        if last is not None and last.finished_at is not None:
            reporter.result(
                f"Legacy tables: cleanup --legacy-tables allowed from "
                f"{last.finished_at + retention:%Y-%m-%d} ({DEFAULT_RETENTION_DAYS} days after "
                f"migrate run #{last.id}), once the reconciliation tests pass"
            )
        else:
            reporter.result("Legacy tables: kept (no successful migrate since the last rollback)")
    else:
        reporter.result("Legacy tables: gone")
