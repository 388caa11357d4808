"""`forecast-migrate status`: where the transition stands. Writes nothing.

Migrated or not (and runs that were interrupted), the run log's latest runs, legacy rows
written since the last build and not carried over yet, rows the application wrote to the
new tables, the backups and their age, and when cleanup becomes allowed."""

from __future__ import annotations

import datetime

from .. import EXIT_OK, backups, run_log
from ..context import Context
from ..database import describe_target
from ..inventory import application_rows, count_application_rows
from ..state import DEFAULT_RETENTION_DAYS, Transition, read_transition

RUN_LOG_LINES = 8
# the counts of the runbook's "Migration complete" line, in its order
MIGRATED_COUNTS = ("curves", "instances", "prices", "schedules")


def run(ctx: Context) -> int:
    """Print the status report."""
    with ctx.connected() as connection:
        transition = read_transition(connection, ctx.inventory())
        now = backups.server_now(connection)
        report_migration(ctx, transition)
        report_runs(ctx, transition, run_log.locate(connection) or run_log.RUN_LOG_SCHEMA)
        if transition.objects.complete and transition.objects.legacy_tables:
            report_pending(ctx)
        report_application_rows(ctx, connection, transition)
        report_backups(ctx, backups.list_backups(connection), now)
        report_legacy_cleanup(ctx, transition)
    return EXIT_OK


def _when(moment: datetime.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}" if moment else "-"


def report_migration(ctx: Context, transition: Transition) -> None:
    reporter, inventory, objects = ctx.reporter, ctx.inventory(), transition.objects
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
    reporter.result(
        f'  objects: {objects.summary()} (target schema "{inventory.target_schema}", migration '
        f'schema "{inventory.migration_schema}")'
    )
    legacy = ", ".join(objects.legacy_tables) or "none"
    reporter.result(f'  legacy tables in "{inventory.legacy_schema}": {legacy}')
    if objects.retired_legacy:
        retired = ", ".join(objects.retired_legacy)
        reporter.result(
            f"  replaced by read-only views at the clean-up: {retired} (old queries read the new "
            "tables through them; writes fail)"
        )
    if objects.renamed_legacy:
        renamed = ", ".join(f"{table}_legacy" for table in objects.renamed_legacy)
        reporter.result(
            f"  renamed by an earlier hand-run migration: {renamed} (rollback renames them back)"
        )


def report_runs(ctx: Context, transition: Transition, schema: str) -> None:
    reporter = ctx.reporter
    reporter.result()
    if not transition.runs:
        reporter.result(f"Run log ({schema}.runs): no runs recorded")
        return
    reporter.result(f"Run log ({schema}.runs), latest first:")
    rows = [
        (
            f"#{run.id}",
            run.command,
            transition.outcome(run),
            _when(run.started_at),
            f"{(run.finished_at - run.started_at).total_seconds():.1f}s" if run.finished_at else "",
            run.backup_name or "",
            (run.message or "")[:70],
        )
        for run in transition.runs[:RUN_LOG_LINES]
    ]
    reporter.table(["run", "command", "outcome", "started", "took", "backup", "message"], rows)
    latest = transition.runs[0]
    if transition.outcome(latest) == "interrupted":
        reporter.result(
            f"  run #{latest.id} ({latest.command}) was interrupted: its process ended without "
            f"recording an outcome; run `forecast-migrate {latest.command}` again, or roll back"
        )
    elif transition.outcome(latest) == "running":
        reporter.result(f"  run #{latest.id} ({latest.command}) is running now")


def report_pending(ctx: Context) -> None:
    """Legacy rows the next build would carry over (the project's rule: analysis
    pending_legacy_rows)."""
    reporter = ctx.reporter
    reporter.result()
    reporter.result(
        "Legacy rows written since the last build, not carried over yet (and deleted ones):"
    )
    rows, errors = ctx.dbt().show("pending_legacy_rows")
    if "pending_legacy_rows" in errors:
        reporter.result(f"  unknown: {errors['pending_legacy_rows'][:200]}")
        return
    counts = [(row["legacy_table"], row["pending_rows"]) for row in rows["pending_legacy_rows"]]
    reporter.table(["legacy table", "rows"], counts)
    if any(count for _, count in counts):
        reporter.result("  `forecast-migrate migrate --rerun` carries them over")


def report_application_rows(ctx: Context, connection, transition: Transition) -> None:
    present = {obj.name for obj in transition.objects.relations}
    targets = ctx.inventory().target_tables
    tables = tuple(table.identifier for table in targets if table.identifier in present)
    if not tables:
        return
    counts = count_application_rows(connection, application_rows(ctx.dbt()), tables)
    written = [(table, rows) for table, rows in counts.items() if rows]
    ctx.reporter.result()
    if not written:
        ctx.reporter.result("Rows the application wrote to the new tables: none")
        return
    ctx.reporter.result(
        "Rows the application wrote to the new tables (rollback refuses; --export DIR saves them):"
    )
    ctx.reporter.table(["table", "rows"], written)


def report_backups(ctx: Context, found: list[backups.Backup], now: datetime.datetime) -> None:
    reporter = ctx.reporter
    reporter.result()
    if not found:
        reporter.result("Backups: none")
        return
    retention = datetime.timedelta(days=DEFAULT_RETENTION_DAYS)
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


def report_legacy_cleanup(ctx: Context, transition: Transition) -> None:
    last = transition.last_successful_migrate
    if transition.cleaned_up:
        ctx.reporter.result("Legacy tables: replaced by read-only views at the clean-up")
    elif not transition.objects.legacy_tables:
        ctx.reporter.result("Legacy tables: gone")
    elif last is None or last.finished_at is None:
        ctx.reporter.result("Legacy tables: kept (no successful migrate since the last rollback)")
    else:
        allowed = last.finished_at + datetime.timedelta(days=DEFAULT_RETENTION_DAYS)
        ctx.reporter.result(
            f"Legacy tables: cleanup --legacy-tables allowed from {allowed:%Y-%m-%d} "
            f"({DEFAULT_RETENTION_DAYS} days after migrate run #{last.id}), once the "
            "reconciliation tests pass"
        )
