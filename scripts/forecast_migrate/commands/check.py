"""`forecast-migrate check`: the readiness report of runbook Step 1 and the source tests.

Writes nothing. Exit code 1 when a source test fails (a blocker), 0 otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg2

from .. import EXIT_CHECK_FAILED, EXIT_OK, queries
from ..catalog import Catalog
from ..context import Context
from ..database import fetch_all, one_line
from ..progress import DbtProgress, Reporter
from ..state import require_legacy_schema

READINESS_PREFIX = "readiness: "


@dataclass
class CheckOutcome:
    """The source tests' verdict: blockers stop the migration, warnings do not."""

    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passed: int = 0

    @property
    def ready(self) -> bool:
        return not self.blockers


def run(ctx: Context) -> int:
    """Print the readiness report and the source tests' results."""
    connection = ctx.connect()
    try:
        catalog = ctx.catalog()
        require_legacy_schema(connection, catalog)
        outcome = perform(ctx, catalog)
    finally:
        connection.close()
    return EXIT_OK if outcome.ready else EXIT_CHECK_FAILED


def perform(ctx: Context, catalog: Catalog, with_report: bool = True) -> CheckOutcome:
    """The report, then the source tests; returns their verdict (also used by migrate,
    which leaves the report out with --quiet)."""
    if with_report:
        report = read_report(ctx, catalog)
        print_report(ctx.reporter, catalog, report)
    outcome = source_tests(ctx)
    print_outcome(ctx.reporter, outcome)
    return outcome


def read_report(ctx: Context, catalog: Catalog) -> dict[str, list[tuple] | str]:
    """Run the report's queries (from the dbt project) in one read-only transaction. A
    query that fails (a legacy table is missing) yields its error text instead of rows."""
    connection = ctx.connect("check report", autocommit=False)
    connection.set_session(readonly=True)
    results: dict[str, list[tuple] | str] = {}
    try:
        with ctx.reporter.step("readiness report"):
            for name, query in catalog.readiness.items():
                fetch_all(connection, queries.SAVEPOINT)
                try:
                    results[name] = fetch_all(connection, query)
                except psycopg2.Error as error:
                    fetch_all(connection, queries.ROLLBACK_TO_SAVEPOINT)
                    results[name] = one_line(error.pgerror or error)
        connection.rollback()
    finally:
        connection.close()
    return results


def print_report(reporter: Reporter, catalog: Catalog, report: dict[str, Any]) -> None:
    """The readiness report, one section per question of runbook Step 1."""
    reporter.result(f'Readiness report (runbook Step 1), legacy schema "{catalog.legacy_schema}"')

    def section(title: str, name: str) -> list[tuple] | None:
        reporter.result()
        reporter.result(title)
        rows = report.get(name)
        if isinstance(rows, str):
            reporter.result(f"  not available: {rows}")
            return None
        return rows

    counts = section("Legacy tables", "table_counts")
    if counts is not None:
        expected = {"curve_definitions": f"expected {catalog.expected_curve_count}"}
        reporter.table(
            ["table", "rows", ""],
            [(table, rows, expected.get(table, "")) for table, rows in counts],
        )

    collisions = section(
        "Derived-name collisions (each curve, earliest created_at first, then lowest curve_id, "
        "takes the first free name of NAME, NAME_V2, NAME_V3, ...)",
        "name_collisions",
    )
    if collisions is not None:
        names = len({row[0] for row in collisions})
        reporter.result(f"  {names} derived names are shared or taken, by {len(collisions)} curves")
        if collisions:
            reporter.table(
                ["curve_id", "market", "mark_type", "location", "created_at", "will be named"],
                [row[1:] for row in collisions],
            )

    privileges = section(
        "Privileges the new relations get (those other roles hold on the legacy table today)",
        "privileges",
    )
    if privileges is not None:
        if privileges:
            reporter.table(["role", "legacy table", "new relation", "privileges"], privileges)
        else:
            reporter.result("  none: only the owner uses the legacy tables")

    nulls = section(
        "NULL or blank critical fields (the name part becomes UNKNOWN)", "null_critical"
    )
    if nulls is not None:
        reporter.table(["column", "curves", "curve_ids"], nulls)

    unmigratable = section(
        "Price rows that cannot be migrated (listed in migration_exceptions)", "unmigratable_prices"
    )
    if unmigratable is not None:
        total = sum(row[1] for row in unmigratable)
        reporter.result(f"  {total} rows")
        if unmigratable:
            reporter.table(["reason", "rows", "first ids"], unmigratable)

    distribution = section("Price rows per market and location", "price_distribution")
    if distribution is not None:
        reporter.table(
            ["market", "location", "curves", "rows", "migratable", "first hour", "last hour"],
            distribution,
        )


def source_tests(ctx: Context) -> CheckOutcome:
    """Run the source tests (dbt test --select source:*): failures are blockers."""
    progress = DbtProgress(ctx.reporter)
    with ctx.reporter.step("source tests (dbt test --select source:*)"), progress.ticking():
        result = ctx.dbt().invoke(["test", "--select", "source:*"], callbacks=[progress])
    outcome = CheckOutcome(passed=progress.count("test", "pass"))
    # the on-run-end hook says each blocker in words (macro log_readiness_failures)
    outcome.blockers = [
        line.removeprefix(READINESS_PREFIX)
        for line in progress.hook_lines
        if line.startswith(READINESS_PREFIX)
    ]
    for node in progress.outcomes:
        if node.status == "error" or (node.status == "fail" and not outcome.blockers):
            outcome.blockers.append(f"{node.name}: {node.message}")
        elif node.status == "warn":
            outcome.warnings.append(f"{node.name}: {node.message}")
    if not result.success and not outcome.blockers:
        outcome.blockers.append(
            "dbt test failed without a failing test (see logs/forecast-migrate)"
        )
    return outcome


def print_outcome(reporter: Reporter, outcome: CheckOutcome) -> None:
    reporter.result()
    reporter.result(
        f"Source tests: {outcome.passed} passed, {len(outcome.warnings)} warnings, "
        f"{len(outcome.blockers)} failed"
    )
    for warning in outcome.warnings:
        reporter.result(f"  warn  {warning}")
    for blocker in outcome.blockers:
        reporter.result(f"  blocker  {blocker}")
    reporter.result(
        "Ready: no blockers."
        if outcome.ready
        else f"Not ready: {len(outcome.blockers)} blocker(s); the migration would stop."
    )
