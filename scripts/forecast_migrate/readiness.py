"""Runbook Step 1: the readiness report (the analyses in analyses/readiness/) and the source
tests, whose failures are the blockers that stop a migration. Used by `check` and by
`migrate`, which runs it first."""

from dataclasses import dataclass, field

from .context import Context
from .progress import DbtProgress

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


@dataclass
class Verdict:
    """The source tests' verdict: blockers stop the migration, warnings do not."""

    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passed: int = 0


def check_readiness(ctx: Context, with_report: bool = True) -> Verdict:
    """Print the report (unless `with_report` is false), then the source tests' verdict."""
    reporter = ctx.reporter
    if with_report:
        with reporter.step("readiness report"):
            rows, errors = ctx.dbt().show(*SECTIONS)
        print_report(ctx, rows, errors)
    verdict = run_source_tests(ctx)
    reporter.result()
    reporter.result(
        f"Source tests: {verdict.passed} passed, {len(verdict.warnings)} warnings, "
        f"{len(verdict.blockers)} failed"
    )
    for warning in verdict.warnings:
        reporter.result(f"  warn  {warning}")
    for blocker in verdict.blockers:
        reporter.result(f"  blocker  {blocker}")
    reporter.result(
        f"Not ready: {len(verdict.blockers)} blocker(s); the migration would stop."
        if verdict.blockers
        else "Ready: no blockers."
    )
    return verdict


def print_report(ctx: Context, rows: dict[str, list[dict]], errors: dict[str, str]) -> None:
    """The readiness report, one section per question of runbook Step 1."""
    reporter = ctx.reporter
    reporter.result(
        f'Readiness report (runbook Step 1), legacy schema "{ctx.inventory().legacy_schema}"'
    )
    for name, title in SECTIONS.items():
        reporter.result()
        reporter.result(title)
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


def run_source_tests(ctx: Context) -> Verdict:
    """Run the source tests (dbt test --select source:*): failures are blockers."""
    progress = DbtProgress(ctx.reporter)
    with ctx.reporter.step("source tests (dbt test --select source:*)"), progress.running():
        result = ctx.dbt().invoke(["test", "--select", "source:*"], callbacks=[progress])
    # the on-run-end hook says each blocker in words (macro log_readiness_failures)
    blockers = [
        line.removeprefix(READINESS_PREFIX)
        for line in progress.hook_lines
        if line.startswith(READINESS_PREFIX)
    ]
    verdict = Verdict(blockers, passed=progress.count("test", "pass"))
    for data in progress.finished:
        status = data.run_result.status
        said = f"{data.node_info.node_name}: {data.run_result.message}"
        if status == "error" or (status == "fail" and not verdict.blockers):
            verdict.blockers.append(said)
        elif status == "warn":
            verdict.warnings.append(said)
    if not result.success and not verdict.blockers:
        verdict.blockers.append(
            "dbt test failed without a failing test (see logs/forecast-migrate)"
        )
    return verdict
