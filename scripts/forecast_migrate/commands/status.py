"""`forecast-migrate status`: where the transition stands. Writes nothing."""

import datetime

from .. import EXIT_OK, backups, queries, run_log
from ..context import Context
from ..database import describe_target, fetch_value
from ..inventory import application_rows, count_application_rows
from ..state import DEFAULT_RETENTION_DAYS, Transition, read_transition

RUN_LOG_LINES = 8
# the counts of the runbook's "Migration complete" line, in its order
MIGRATED_COUNTS = ("curves", "instances", "prices", "schedules")
RETENTION = datetime.timedelta(days=DEFAULT_RETENTION_DAYS)


def run(ctx: Context) -> int:
    result = ctx.reporter.result
    with ctx.connected() as connection:  # connected before dbt reads the inventory
        inventory = ctx.inventory
        transition = read_transition(connection, inventory)
        objects, now = transition.objects, fetch_value(connection, queries.SERVER_NOW)
        result(f"Status of {describe_target()}")
        result(f"  migration: {transition.describe()}")
        if (last := transition.last_successful_migrate) is not None:
            counts = [f"{last.counts[n]} {n}" for n in MIGRATED_COUNTS if n in last.counts]
            counted = f" ({', '.join(counts)})" if counts else ""
            finished = f"finished {_when(last.finished_at)}{counted}"
            result(f"  last successful migrate: run #{last.id}, {finished}")
        result(
            f'  objects: {objects.summary()} (target schema "{inventory.target_schema}", migration '
            f'schema "{inventory.migration_schema}")'
        )
        legacy = ", ".join(objects.legacy_tables) or "none"
        result(f'  legacy tables in "{inventory.legacy_schema}": {legacy}')
        if retired := ", ".join(objects.retired_legacy):
            result(
                f"  replaced by read-only views at the clean-up: {retired} "
                "(old queries read the new tables through them; writes fail)"
            )
        if read_only := ", ".join(objects.read_only_legacy):
            runs = transition.runs
            cutover = next((r for r in runs if (r.command, r.outcome) == ("cutover", "ok")), None)
            by = f" by cutover run #{cutover.id}, {_when(cutover.finished_at)}" if cutover else ""
            result(f"  cut over{by}: {read_only} refuse writes (rollback makes them writable)")
        if renamed := ", ".join(f"{table}_legacy" for table in objects.renamed_legacy):
            result(
                f"  renamed by an earlier hand-run migration: {renamed} "
                "(rollback renames them back)"
            )
        report_runs(ctx, transition, run_log.locate(connection) or run_log.RUN_LOG_SCHEMA)
        if objects.complete and objects.legacy_tables:
            result()
            result(
                "Legacy rows written since the last build, not carried over yet (and deleted ones):"
            )
            rows, errors = ctx.dbt.show("pending_legacy_rows")
            if "pending_legacy_rows" in errors:
                result(f"  unknown: {errors['pending_legacy_rows'][:200]}")
            else:
                pending = rows["pending_legacy_rows"]
                counts = [(row["legacy_table"], row["pending_rows"]) for row in pending]
                ctx.reporter.table(["legacy table", "rows"], counts)
                if any(count for _, count in counts):
                    result("  `forecast-migrate migrate --rerun` carries them over")
        present = {obj.name for obj in objects.relations}
        targets = [table.identifier for table in inventory.target_tables]
        if tables := tuple(table for table in targets if table in present):
            counts = count_application_rows(connection, application_rows(ctx.dbt), tables)
            _section(
                ctx,
                "Rows the application wrote to the new tables",
                " (rollback refuses; --export DIR saves them)",
                ["table", "rows"],
                [(table, rows) for table, rows in counts.items() if rows],
            )
        _section(
            ctx,
            "Backups",
            f" (cleanup drops them {DEFAULT_RETENTION_DAYS} days after they were taken)",
            ["backup", "taken", "age (days)", "rows", "verified", "cleanup allowed from"],
            [
                (
                    backup.name,
                    _when(backup.created_at),
                    round(backup.age_days(now), 1),
                    sum(entry.rows for entry in backup.entries.values()),
                    "yes" if backup.verified_at else "NO",
                    f"{backup.created_at + RETENTION:%Y-%m-%d}",
                )
                for backup in backups.list_backups(connection)
            ],
        )
    if transition.cleaned_up:
        legacy_tables = "replaced by read-only views at the clean-up"
    elif not objects.legacy_tables:
        legacy_tables = "gone"
    elif last is None or last.finished_at is None:
        legacy_tables = "kept (no successful migrate since the last rollback)"
    else:
        legacy_tables = (
            f"cleanup --legacy-tables allowed from {last.finished_at + RETENTION:%Y-%m-%d} "
            f"({DEFAULT_RETENTION_DAYS} days after migrate run #{last.id}), once the "
            "reconciliation tests pass"
        )
    result(f"Legacy tables: {legacy_tables}")
    return EXIT_OK


def _when(moment: datetime.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}" if moment else "-"


def _section(ctx: Context, title: str, note: str, headers: list, rows: list, empty="none") -> None:
    ctx.reporter.result(f"\n{title}{note}:" if rows else f"\n{title}: {empty}")
    if rows:
        ctx.reporter.table(headers, rows)


def report_runs(ctx: Context, transition: Transition, schema: str) -> None:
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
    headers = ["run", "command", "outcome", "started", "took", "backup", "message"]
    title = f"Run log ({schema}.runs)"
    _section(ctx, title, ", latest first", headers, rows, empty="no runs recorded")
    if not transition.runs:
        return
    latest = transition.runs[0]
    if transition.outcome(latest) == "interrupted":
        ctx.reporter.result(
            f"  run #{latest.id} ({latest.command}) was interrupted: its process ended without "
            f"recording an outcome; run `forecast-migrate {latest.command}` again, or roll back"
        )
    elif transition.outcome(latest) == "running":
        ctx.reporter.result(f"  run #{latest.id} ({latest.command}) is running now")
