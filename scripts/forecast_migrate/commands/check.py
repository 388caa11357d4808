"""`forecast-migrate check`: runbook Step 1, the readiness report (analyses/readiness/) and
the source tests, whose failures are the blockers that stop a migration (exit code 1);
`migrate` runs it first. Writes nothing."""

from .. import EXIT_CHECK_FAILED, EXIT_OK
from ..context import Context
from ..progress import DbtProgress
from ..state import require_legacy_schema

READINESS_PREFIX = "readiness: "
# the report's sections: analysis (analyses/readiness/), title
SECTIONS = {
    "readiness_table_counts": "Legacy tables",
    "readiness_name_collisions": "Derived-name collisions (each curve, earliest created_at "
    "first, then lowest curve_id, takes the first free name of NAME, NAME_V2, NAME_V3, ...)",
    "readiness_privileges": "Privileges the new relations get (those other roles hold on the "
    "legacy table today)",
    "readiness_null_critical_fields": "NULL or blank critical fields (the name part becomes "
    "UNKNOWN)",
    "readiness_unmigratable_prices": "Price rows that cannot be migrated (listed in "
    "migration_exceptions)",
    "readiness_prices_by_market_location": "Price rows per market and location",
}


def check_readiness(ctx: Context, with_report: bool = True) -> list[str]:
    """Print the report (unless `with_report` is false) and the source tests' verdict; return
    the blockers, the source tests' failures (dbt test --select source:*)."""
    reporter = ctx.reporter
    if with_report:
        with reporter.step("readiness report"):
            rows, errors = ctx.dbt.show(*SECTIONS)
        reporter.result(
            f'Readiness report (runbook Step 1), legacy schema "{ctx.inventory.legacy_schema}"'
        )
        for name, title in SECTIONS.items():  # one section per question of runbook Step 1
            reporter.result(f"\n{title}")
            section = rows.get(name, [])
            if name in errors:
                reporter.result(f"  not available: {errors[name]}")
            elif name == "readiness_name_collisions":
                names = len({row["base_name"] for row in section})
                reporter.result(
                    f"  {names} derived names are shared or taken, by {len(section)} curves"
                )
            elif name == "readiness_unmigratable_prices":
                reporter.result(f"  {sum(row['row_count'] for row in section)} rows")
            elif name == "readiness_privileges" and not section:
                reporter.result("  none: only the owner uses the legacy tables")
            if section:
                headers = [column.replace("_", " ") for column in section[0]]
                reporter.table(headers, [list(row.values()) for row in section])
    progress = DbtProgress(reporter)
    title = "source tests (dbt test --select source:*)"
    passed = progress.invoke(ctx.dbt, title, "test", "--select", "source:*")
    # the on-run-end hook says each blocker in words (macro log_readiness_failures)
    blockers = [
        line.removeprefix(READINESS_PREFIX)
        for line in progress.hook_lines
        if line.startswith(READINESS_PREFIX)
    ]
    warnings = []
    for data in progress.finished:
        status = data.run_result.status
        said = f"{data.node_info.node_name}: {data.run_result.message}"
        if status == "error" or (status == "fail" and not blockers):
            blockers.append(said)
        elif status == "warn":
            warnings.append(said)
    if not passed and not blockers:
        blockers.append("dbt test failed without a failing test (see logs/forecast-migrate)")
    reporter.result(
        f"\nSource tests: {progress.count('test', 'pass')} passed, {len(warnings)} warnings, "
        f"{len(blockers)} failed"
    )
    for warning in warnings:
        reporter.result(f"  warn  {warning}")
    for blocker in blockers:
        reporter.result(f"  blocker  {blocker}")
    reporter.result(
        f"Not ready: {len(blockers)} blocker(s); the migration would stop."
        if blockers
        else "Ready: no blockers."
    )
    return blockers


def run(ctx: Context) -> int:
    with ctx.connected() as connection:
        require_legacy_schema(connection, ctx.inventory)
    return EXIT_CHECK_FAILED if check_readiness(ctx) else EXIT_OK
