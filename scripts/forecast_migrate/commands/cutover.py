"""`forecast-migrate cutover`: the transition's last step, in a write freeze of seconds.

`dbt build` with every test while writes go on; then, in one transaction: lock the legacy
tables (writes wait, reads go on), carry over what was written since, make the legacy tables
refuse writes, commit. A write that waited on the lock then fails naming the new table; if
anything fails, the transaction rolls back (docs/maintenance-window.md, step 4)."""

import time

import psycopg2

from .. import EXIT_OK, EXIT_USAGE, MigrationError, queries, run_log
from ..context import Context
from ..database import execute, transaction
from ..dbt import WITHOUT_UNIT_TESTS
from ..progress import DbtProgress
from ..state import read_transition

READ_ONLY = "legacy_tables_read_only"  # the analysis that makes the legacy tables refuse writes
DEFAULT_LOCK_TIMEOUT_SECONDS = 6.0
LOCK_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.5  # between attempts: the writers that waited go through
BUSY = (psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected)
# the tests that read every price row: run before the lock, not under it, where the changed
# rows' own test (assert_batch_price_rows_match_legacy) verifies the carry-over
FULL_PASS = "tag:full_pass"


def run(ctx: Context, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS, print_sql=False) -> int:
    if lock_timeout <= 0:
        raise MigrationError("--lock-timeout must be positive", EXIT_USAGE)
    legacy = [(ctx.inventory.legacy_schema, table) for table in ctx.inventory.legacy_tables]
    attempt_ms = max(int(lock_timeout * 1000 / LOCK_ATTEMPTS), 1)
    lock = [
        queries.set_lock_timeout(attempt_ms),
        queries.with_relations("lock table {} in share row exclusive mode", legacy),
    ]
    (read_only,) = ctx.dbt.compiled(READ_ONLY).values()  # prepared before anything is locked
    if print_sql:
        with ctx.connected() as connection:
            for statement in lock:
                ctx.reporter.result(f"{statement.as_string(connection)};")
        ctx.reporter.result("-- then `dbt build` in its own sessions (the carry-over), then:")
        ctx.reporter.result(read_only.strip())
        return EXIT_OK
    with ctx.locked_for_writing() as connection:
        transition = read_transition(connection, ctx.inventory)
        if transition.cleaned_up or not transition.migrated:
            raise MigrationError(f"nothing to cut over: {transition.describe()}; nothing changed")
        if read_only_tables := transition.objects.read_only_legacy:
            raise MigrationError(
                f"cut over already: {', '.join(read_only_tables)} refuse writes; nothing changed"
            )
        ctx.confirm("Block writes to the legacy tables, carry over their last writes, then "
                    "make them read-only?")  # fmt: skip
        arguments = [f"--lock-timeout {lock_timeout:g}"]
        with run_log.recorded(connection, "cutover", arguments) as record:
            # while writes go on: every test, and the bulk of the carry-over
            record.counts["carried_before_the_lock"] = carry_over(ctx, "every test", [])
            freeze, carried = cut_over(ctx, lock, read_only, record)
            record.message = f"cut over; writes blocked {freeze:.2f}s"
    ctx.reporter.result(
        f"Cut over: writes to the legacy tables were blocked for {freeze:.2f}s; {carried} rows "
        "carried over. The legacy tables keep their rows and refuse writes, naming the new "
        f"tables (rollback makes them writable again); run log #{record.run_id}"
    )
    return EXIT_OK


def cut_over(ctx: Context, lock: list, read_only: str, record: run_log.Recorder) -> tuple:
    """The transaction, attempted until it gets the lock; the seconds writers were blocked
    (every attempt's wait included) and the rows the carry-over wrote."""
    waited = 0.0
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        started = time.monotonic()
        try:
            with transaction("cutover") as locked:
                for statement in lock:
                    execute(locked, statement)
                ctx.reporter.progress(
                    f"legacy tables locked in {time.monotonic() - started:.2f}s: writes wait"
                )
                carried = carry_over(ctx, "the changed rows' tests", ["--exclude", FULL_PASS])
                execute(locked, read_only)
        except BUSY as error:
            waited += time.monotonic() - started
            ctx.reporter.progress(f"attempt {attempt} of {LOCK_ATTEMPTS}: {error.pgerror}")
            time.sleep(RETRY_PAUSE_SECONDS)
            continue
        freeze = waited + time.monotonic() - started
        record.counts.update(write_freeze_s=round(freeze, 3), attempts=attempt, carried=carried)
        return freeze, carried
    raise MigrationError(
        f"the legacy tables stayed locked by other sessions through {LOCK_ATTEMPTS} attempts "
        "(--lock-timeout): nothing changed, they take writes as before"
    )


def carry_over(ctx: Context, tests: str, selection: list[str]) -> int:
    """`dbt build` of the models and `selection`'s tests; the rows it wrote."""
    progress, selection = DbtProgress(ctx.reporter), [*selection, *WITHOUT_UNIT_TESTS]
    if not progress.invoke(ctx.dbt, f"dbt build (carry-over, {tests})", "build", *selection):
        raise MigrationError(
            f"dbt build stopped ({len(progress.problems())} node(s) failed or skipped), first "
            f"{progress.first_problem()}: the cut-over is undone, the legacy tables take writes"
        )
    return sum(progress.rows_written.values())
