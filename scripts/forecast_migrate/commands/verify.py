"""`forecast-migrate verify`: the runbook's Step 4 checks, as a readable report.

Runs the `verify_*` analyses of the dbt project (`analyses/`, through `dbt show`) and the
project's data tests on the new tables (`dbt test --exclude "source:*"`), and finds the
project's objects (the inventory), then prints: the new tables exist; curves, instances and
prices per market and location; the compat view's row count and its equality with the
legacy table; schedules per frequency; the reconciliation totals; every row of
`migration_exceptions` grouped by reason; and the data tests. `--format markdown` writes the
same as a Markdown report for a change ticket.

Exit codes: 0 every check passed, 1 a check failed (the report says which), 2 a usage or
connection error. All SQL lives in dbt; this module only runs it and lays out the results.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError
from ..context import Context
from ..inventory import Objects, find
from ..progress import table_lines

FORMATS = ("text", "markdown")
ANALYSES = (
    "project_context",
    "verify_curves_by_market_location",
    "verify_compat",
    "verify_schedules_by_frequency",
    "verify_reconciliation",
    "verify_exceptions_by_reason",
)
# analyses that return at least one row whenever they run (the others may rightly be empty)
ALWAYS_ROWS = ("project_context", "verify_compat", "verify_reconciliation")
COMPAT_TEST = "assert_compat_views_match_legacy"

Row = dict[str, Any]


@dataclass
class TestResult:
    """One dbt data test of the verification."""

    name: str
    status: str  # pass, warn, fail, error, skipped
    failures: int | None
    message: str
    description: str

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "error")


@dataclass
class Report:
    """Everything the verification found; `render()` lays it out."""

    rows: dict[str, list[Row]]
    query_errors: dict[str, str]  # analysis name -> dbt's error message
    objects: list[tuple[str, str, str, bool]]  # group, schema, name, found
    tests: list[TestResult] = field(default_factory=list)

    def __getitem__(self, analysis: str) -> list[Row]:
        return self.rows.get(analysis, [])

    @property
    def compat_test(self) -> TestResult | None:
        return next((test for test in self.tests if test.name == COMPAT_TEST), None)

    @property
    def checks(self) -> dict[str, bool]:
        compat = self["verify_compat"]
        test = self.compat_test
        compat_ok = bool(compat) and test is not None and not test.failed
        if compat_ok:
            numbers = compat[0]
            expected = numbers["legacy_rows"] - numbers["excepted_legacy_curves"]
            compat_ok = numbers["compat_rows_of_legacy_curves"] == expected
        reconciliation = self["verify_reconciliation"]
        return {
            "new tables exist": bool(self.objects) and all(found for *_, found in self.objects),
            "compat view equals the legacy table": compat_ok,
            "reconciliation": bool(reconciliation)
            and all(row["unaccounted_rows"] == 0 for row in reconciliation),
            "data tests": bool(self.tests) and not any(test.failed for test in self.tests),
        }

    @property
    def failed_checks(self) -> list[str]:
        failed = [name for name, ok in self.checks.items() if not ok]
        return failed + [f"query {name} could not run" for name in self.query_errors]


def run(ctx: Context, format: str = "text", output: Path | None = None) -> int:
    """Verify the migration and print (or write to `output`) the report; exit code 1 (after
    the report is written) when a check failed."""
    if format not in FORMATS:
        raise MigrationError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}", 2)
    ctx.reporter.progress_to_stderr = output is None
    report = collect(ctx)
    text = render(report, markdown=format == "markdown")
    if output is None:
        for line in text.splitlines():
            ctx.reporter.result(line)
    else:
        try:
            output.write_text(text)
        except OSError as error:
            raise MigrationError(f"cannot write {output}: {error.strerror}", EXIT_USAGE) from error
        ctx.reporter.progress(f"report written to {output}")
    if report.failed_checks:
        failed = "; ".join(report.failed_checks)
        raise MigrationError(f"verification failed: {failed}", EXIT_CHECK_FAILED)
    ctx.reporter.progress("every check passed")
    return EXIT_OK


def collect(ctx: Context) -> Report:
    """Run the analyses and the data tests, and find the project's objects."""
    session = ctx.dbt()
    with ctx.reporter.step("the report queries (dbt show of analyses/verify_*.sql)"):
        rows, errors = session.show(*ANALYSES)
    for name in ALWAYS_ROWS:
        if name not in errors and not rows.get(name):
            errors[name] = "dbt show returned no rows"
    with ctx.connected() as connection:
        objects = find(connection, ctx.inventory())
    report = Report(rows=rows, query_errors=errors, objects=expected_objects(ctx, objects))
    with ctx.reporter.step('the data tests (dbt test --exclude "source:*")'):
        tested = session.invoke(["test", "--exclude", "source:*"])
    for node_result in tested.result.results if tested.result else []:
        node = node_result.node
        if node.resource_type == "test":
            report.tests.append(
                TestResult(
                    name=node.name,
                    status=str(node_result.status),
                    failures=node_result.failures,
                    message=(node_result.message or "").strip(),
                    description=" ".join((node.description or "").split()),
                )
            )
    report.tests.sort(key=lambda test: test.name)
    return report


def expected_objects(ctx: Context, objects: Objects) -> list[tuple[str, str, str, bool]]:
    """Every object of the inventory, grouped, with whether the database holds it."""
    inventory = ctx.inventory()
    present = {(obj.schema, obj.name, obj.kind) for obj in (*objects.relations, *objects.types)}
    rows = [
        ("legacy source", inventory.legacy_schema, table, table in objects.legacy_tables)
        for table in inventory.legacy_tables
    ]
    for relation in sorted(inventory.relations, key=lambda relation: relation.group):
        kind = "view" if relation.is_view else "table"
        found = (relation.schema, relation.identifier, kind) in present
        rows.append((relation.group, relation.schema, relation.name, found))
    schema = inventory.target_schema
    rows += [
        ("enum type", schema, name, (schema, name, "type") in present)
        for name in inventory.enum_types
    ]
    return rows


class Document:
    """Headings, paragraphs and tables, as aligned text or as Markdown."""

    def __init__(self, markdown: bool):
        self.markdown = markdown
        self.lines: list[str] = []

    def heading(self, text: str, level: int = 2) -> None:
        if self.markdown:
            self.lines += [f"{'#' * level} {text}", ""]
        else:
            self.lines += [text, ("=" if level == 1 else "-") * len(text), ""]

    def para(self, text: str) -> None:
        self.lines += [text if self.markdown else textwrap.fill(text, width=100), ""]

    def fields(self, items: Sequence[tuple[str, Any]]) -> None:
        """Name: value lines (a list in Markdown)."""
        width = max(len(name) for name, _ in items)
        for name, value in items:
            value = "-" if value is None else value
            line = (
                f"- **{name}**: {value}"
                if self.markdown
                else f"  {name + ':':<{width + 1}}  {value}"
            )
            self.lines.append(line)
        self.lines.append("")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        lines = table_lines(headers, rows, markdown=self.markdown)
        self.lines += (lines if self.markdown else [f"  {line}" for line in lines]) + [""]

    def rows(self, rows: list[Row]) -> None:
        """An analysis's rows as a table, headed by its column names."""
        if rows:
            headers = [name.replace("_", " ") for name in rows[0]]
            self.table(headers, [list(row.values()) for row in rows])

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(report: Report, markdown: bool = False) -> str:
    """The report as text (aligned tables) or Markdown (for a change ticket)."""
    out = Document(markdown)
    context = report["project_context"][0] if report["project_context"] else {}
    checks = report.checks
    out.heading("Migration verification (runbook Step 4)", level=1)
    out.fields(
        [
            ("result", _verdict(not report.failed_checks)),
            ("database", context.get("database_name")),
            ("server version", context.get("server_version")),
            ("checked as", context.get("user_name")),
            ("new tables in schema", context.get("target_schema")),
            ("legacy schema", context.get("legacy_schema")),
            ("working schema", context.get("migration_schema")),
            ("checked at", context.get("checked_at")),
        ]
    )
    if report.failed_checks:
        out.para("Failed: " + "; ".join(report.failed_checks) + ".")
    for name, message in report.query_errors.items():
        out.para(f"Query {name} could not run: {' '.join(message.split())}")
    render_objects(out, report, checks["new tables exist"])
    render_counts(out, report)
    render_compat(out, report, checks["compat view equals the legacy table"])
    render_schedules(out, report)
    render_reconciliation(out, report, context, checks["reconciliation"])
    render_exceptions(out, report)
    render_tests(out, report, checks["data tests"])
    return out.text()


def render_objects(out: Document, report: Report, ok: bool) -> None:
    out.heading(f"1. The new tables exist: {_verdict(ok)}")
    groups: dict[str, list[tuple]] = {}
    for group, schema, name, found in report.objects:
        groups.setdefault(f"{group} ({schema})", []).append((name, found))
    out.table(
        ["objects", "expected", "found", "missing"],
        [
            [
                group,
                len(members),
                sum(1 for _, found in members if found),
                ", ".join(name for name, found in members if not found),
            ]
            for group, members in groups.items()
        ],
    )
    new_tables = [name for group, _, name, _ in report.objects if group == "new table"]
    if new_tables:
        out.para("New tables: " + ", ".join(new_tables) + ".")


def render_counts(out: Document, report: Report) -> None:
    out.heading("2. Curves, instances and prices per market and location")
    out.rows(report["verify_curves_by_market_location"])


def render_compat(out: Document, report: Report, ok: bool) -> None:
    out.heading(f"3. Compatibility view curve_definitions_compat: {_verdict(ok)}")
    if not report["verify_compat"]:
        return
    numbers, test = report["verify_compat"][0], report.compat_test
    out.table(
        ["relation", "rows"],
        [
            ["legacy curve_definitions", numbers["legacy_rows"]],
            ["curve_definitions_compat", numbers["compat_rows"]],
            ["  of which legacy curves", numbers["compat_rows_of_legacy_curves"]],
            ["legacy curves listed as exceptions", numbers["excepted_legacy_curves"]],
        ],
    )
    if test and not test.failed:
        equality = f"yes ({COMPAT_TEST}: {test.status})"
    else:
        differing = f", {test.failures} differing rows" if test and test.failures else ""
        equality = f"NO ({COMPAT_TEST}: {test.status if test else 'not run'}{differing})"
    out.para(f"Every migrated legacy row equal in all columns: {equality}.")


def render_schedules(out: Document, report: Report) -> None:
    out.heading("4. Schedules per frequency")
    out.rows(report["verify_schedules_by_frequency"])


def render_reconciliation(out: Document, report: Report, context: Row, ok: bool) -> None:
    out.heading(f"5. Reconciliation: {_verdict(ok)}")
    out.para(
        "Every legacy row is migrated as a row of its own or listed in migration_exceptions: "
        "legacy = migrated + exceptions, so unaccounted must be 0. The new table also holds "
        "rows without a legacy row of their own (default schedules, application rows)."
    )
    rows = report["verify_reconciliation"]
    curves = next((row for row in rows if row["legacy_table"] == "curve_definitions"), None)
    if curves and context:
        out.para(
            f"Curves migrated: {curves['migrated_rows']} of {context['expected_curve_count']} "
            "expected (var expected_curve_count)."
        )
    out.rows(rows)


def render_exceptions(out: Document, report: Report) -> None:
    rows = report["verify_exceptions_by_reason"]
    total = sum(row["exception_rows"] for row in rows)
    out.heading(f"6. Exceptions: {total} legacy rows not migrated, by reason")
    out.rows(rows)
    if not rows:
        out.para("None: every legacy row was migrated.")


def render_tests(out: Document, report: Report, ok: bool) -> None:
    counts: dict[str, int] = {}
    for test in report.tests:
        counts[test.status] = counts.get(test.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    out.heading(f"7. Data tests on the new tables: {_verdict(ok)} ({summary or 'none run'})")
    out.table(
        ["check", "result", "what it verifies"],
        [
            [test.name, test.status, test.description]
            for test in report.tests
            if test.name.startswith("assert_")
        ],
    )
    problems = [test for test in report.tests if test.status != "pass"]
    if problems:
        out.para("Tests that did not pass:")
        out.lines += [f"- {test.name}: {test.status}: {test.message}" for test in problems] + [""]
    else:
        out.para(
            f"All {len(report.tests)} data tests passed (the checks above, plus keys, "
            "not-null, accepted values and foreign keys of every model)."
        )
