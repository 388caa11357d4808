"""`forecast-migrate migrate`: runbook Steps 1 to 4 in one command.

Under the migration lock and recorded in the ledger: the readiness check, a verified backup,
`dbt build` (with progress for every seed and model), then the verification summary;
stopping at the first failure with its reason. Refuses an already migrated database unless
--rerun (which carries over legacy rows written since the last build)."""

from __future__ import annotations

import re

from .. import EXIT_OK, MigrationError, backups, ledger, queries
from ..catalog import Catalog
from ..context import Context
from ..database import fetch_all
from ..progress import DbtProgress
from ..state import inspect, require_create_rights, require_legacy_schema
from . import backup as backup_command
from . import check as check_command

COMPLETE_LINE = re.compile(r"^Migration complete: (?P<counts>.*)$")


def run(ctx: Context, backup_name: str | None = None, rerun: bool = False) -> int:
    """Check, back up, build and verify; return 0, or raise with the step that failed."""
    if backup_name is not None:
        backups.validate_name(backup_name)
    connection = ctx.connect()
    try:
        with ledger.exclusive(connection, "migrate"):
            catalog = ctx.catalog()
            require_legacy_schema(connection, catalog)
            require_create_rights(connection, catalog)
            transition = inspect(connection, catalog)
            if transition.migrated and not rerun:
                last = transition.last_successful_migrate
                by = (
                    f"by run #{last.id} at {last.finished_at:%Y-%m-%d %H:%M:%S %Z}"
                    if last and last.finished_at
                    else "(every object of the project exists)"
                )
                raise MigrationError(
                    f"already migrated {by}: nothing changed. `forecast-migrate status` shows "
                    "legacy rows not carried over yet; `migrate --rerun` carries them over"
                )
            if not transition.objects.nothing_present:
                ctx.reporter.progress(f"continuing: {transition.describe()}")
            arguments = " ".join(
                part
                for part in (
                    "--rerun" if rerun else "",
                    f"--backup-name {backup_name}" if backup_name else "",
                )
                if part
            )
            with ledger.recorded(connection, "migrate", arguments) as record:
                migrate(ctx, connection, catalog, backup_name, record)
    finally:
        connection.close()
    return EXIT_OK


def migrate(
    ctx: Context, connection, catalog: Catalog, backup_name: str | None, record: ledger.Recorder
) -> None:
    """The four steps, each stopping the migration with its reason when it fails."""
    reporter = ctx.reporter
    reporter.progress("Step 1: readiness check")
    outcome = check_command.perform(ctx, catalog, with_report=not reporter.quiet)
    if not outcome.ready:
        raise MigrationError(
            f"readiness check failed, nothing was migrated: {outcome.blockers[0]}"
            + (f" (and {len(outcome.blockers) - 1} more)" if len(outcome.blockers) > 1 else "")
        )

    reporter.progress("Step 2: backup of the legacy tables")
    backup = backup_command.take(ctx, connection, catalog, backup_name)
    record.backup_name = backup.name
    record.counts["backup"] = {entry.table: entry.rows for entry in backup.entries}
    ledger.note(record)
    reporter.result(
        f"Backup {backup.name} verified: "
        + ", ".join(f"{entry.table} {entry.rows} rows" for entry in backup.entries)
    )

    reporter.progress("Step 3: dbt build")
    progress = DbtProgress(reporter)
    with reporter.step("dbt build"), progress.ticking():
        result = ctx.dbt().invoke(["build"], callbacks=[progress])
    record.counts["rows_written"] = {
        node.name: node.rows
        for node in progress.outcomes
        if node.resource_type == "model" and node.rows is not None
    }
    problems = progress.problems()
    if not result.success or problems:
        first = problems[0] if problems else None
        reason = f"{first.name}: {first.status}: {first.message}" if first else "see logs"
        raise MigrationError(
            f"dbt build stopped ({len(problems)} node(s) failed or skipped), first {reason}. "
            f"The legacy tables are unchanged; backup {backup.name} is verified"
        )
    record.counts.update(_complete_counts(progress.hook_lines))

    reporter.progress("Step 4: verification summary")
    summarise(ctx, connection, catalog, progress)
    record.message = f"migrated; backup {backup.name}"
    reporter.result(
        f"Done in {reporter.elapsed():.1f}s: migrated; backup {backup.name}; "
        f"ledger run #{record.run_id}"
    )


def _complete_counts(lines: list[str]) -> dict[str, int]:
    """The counts of the runbook's `Migration complete: 72 curves, ...` line."""
    for line in lines:
        match = COMPLETE_LINE.match(line)
        if match:
            return {
                name: int(number)
                for number, name in re.findall(r"(\d+) (\w+)", match.group("counts"))
            }
    return {}


def summarise(ctx: Context, connection, catalog: Catalog, progress: DbtProgress) -> None:
    """Runbook Step 4 as run by `dbt build`: its data tests, and the legacy rows that were
    listed in migration_exceptions instead of migrated."""
    reporter = ctx.reporter
    warned = [node for node in progress.outcomes if node.status == "warn"]
    reporter.result(
        f"Verification (runbook Step 4): {progress.count('test', 'pass')} data tests passed, "
        f"{len(warned)} warned (readiness warnings about legacy dirt), 0 failed"
    )
    for node in warned:
        reporter.result(f"  warn  {node.name}: {node.message}")
    exceptions = catalog.relation("migration_exceptions")
    rows = fetch_all(connection, queries.exceptions_summary(*exceptions.key))
    reporter.result(
        f"Legacy rows listed in {exceptions.schema}.{exceptions.identifier} "
        f"instead of migrated: {sum(row[2] for row in rows)}"
    )
    if rows:
        reporter.table(["legacy table", "reason", "rows"], rows)
