"""`forecast-migrate migrate`: runbook Steps 1 to 4 in one command.

Under the migration lock and recorded in the run log: readiness check, verified backup, `dbt
build`, verification summary; stops at the first failure. A migrated database is refused
unless --rerun (which carries over legacy rows written since the last build)."""

import re

from .. import EXIT_OK, MigrationError, backups, run_log
from ..context import Context
from ..dbt import WITHOUT_UNIT_TESTS
from ..progress import DbtProgress
from ..state import read_transition
from .check import check_readiness

# the on-run-end line of macro log_migration_complete: `Migration complete: 72 curves, ...`
COMPLETE_PREFIX = "Migration complete: "


def run(ctx: Context, backup_name: str | None = None, rerun: bool = False) -> int:
    backups.validate_name(backup_name)
    arguments = ["--rerun" if rerun else "", f"--backup-name {backup_name}" if backup_name else ""]
    with ctx.locked_for_writing() as connection:
        transition = read_transition(connection, ctx.inventory)
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
        with run_log.recorded(connection, "migrate", arguments) as record:
            run_steps(ctx, connection, backup_name, record)
    return EXIT_OK


def run_steps(ctx: Context, connection, backup_name: str | None, record: run_log.Recorder) -> None:
    reporter = ctx.reporter
    reporter.progress("Step 1: readiness check")
    if blockers := check_readiness(ctx, with_report=not reporter.quiet):
        more = len(blockers) - 1
        raise MigrationError(
            f"readiness check failed, nothing was migrated: {blockers[0]}"
            + (f" (and {more} more)" if more else "")
        )

    reporter.progress("Step 2: backup of the legacy tables")
    backup = backups.take(connection, backup_name, ctx.inventory, reporter)
    record.backup_name = backup.name
    record.counts["backup"] = {table: entry.rows for table, entry in backup.entries.items()}
    record.save()

    reporter.progress("Step 3: dbt build")
    progress = DbtProgress(reporter)
    built = progress.invoke(ctx.dbt, "dbt build", "build", *WITHOUT_UNIT_TESTS)
    record.counts["rows_written"] = progress.rows_written
    if not built:
        raise MigrationError(
            f"dbt build stopped ({len(progress.problems())} node(s) failed or skipped), "
            f"first {progress.first_problem()}. "
            f"The legacy tables are unchanged; backup {backup.name} is verified"
        )
    complete = next((line for line in progress.hook_lines if line.startswith(COMPLETE_PREFIX)), "")
    record.counts.update({name: int(n) for n, name in re.findall(r"(\d+) (\w+)", complete)})

    # Step 4 as `dbt build` ran it: its data tests, and the legacy rows listed in
    # migration_exceptions instead of migrated (analysis verify_exceptions_by_reason)
    reporter.progress("Step 4: verification summary")
    warned = [data for data in progress.finished if data.run_result.status == "warn"]
    reporter.result(
        f"Verification (runbook Step 4): {progress.count('test', 'pass')} data tests passed, "
        f"{len(warned)} warned (readiness warnings about legacy dirt), 0 failed"
    )
    for data in warned:
        reporter.result(f"  warn  {data.node_info.node_name}: {data.run_result.message}")
    exceptions = ctx.inventory.relation("migration_exceptions")
    rows = ctx.dbt.show_one("verify_exceptions_by_reason")
    reporter.result(
        f"Legacy rows listed in {exceptions.schema}.{exceptions.identifier} "
        f"instead of migrated: {sum(row['exception_rows'] for row in rows)}"
    )
    if rows:
        reporter.table(
            ["legacy table", "reason", "rows"],
            [(row["legacy_table"], row["reason"], row["exception_rows"]) for row in rows],
        )
    record.message = f"migrated; backup {backup.name}"
    reporter.result(
        f"Done in {reporter.elapsed():.1f}s: {record.message}; run log #{record.run_id}"
    )
