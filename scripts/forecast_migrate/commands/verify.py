"""`forecast-migrate verify`: the runbook's Step 4 checks (the analyses `verify_*` and the data
tests), as aligned text or, with `--format markdown`, for a change ticket."""

import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError
from ..context import Context
from ..inventory import find
from ..progress import table_lines

FORMATS = ("text", "markdown")
ANALYSES = ("project_context", "verify_curves_by_market_location", "verify_compat",
            "verify_schedules_by_frequency", "verify_reconciliation",
            "verify_exceptions_by_reason")  # fmt: skip
# analyses that return at least one row whenever they run (the others may rightly be empty)
ALWAYS_ROWS = ("project_context", "verify_compat", "verify_reconciliation")
COMPAT_TEST = "assert_compat_views_match_legacy"
# the report's header lines after its result: label -> column of analysis project_context
HEADER = {"database": "database_name", "server version": "server_version",
          "checked as": "user_name", "new tables in schema": "target_schema",
          "legacy schema": "legacy_schema", "working schema": "migration_schema",
          "checked at": "checked_at"}  # fmt: skip
VERDICT = {True: "PASS", False: "FAIL"}


def _passed(test: Any) -> bool:
    return test is not None and test.status not in ("fail", "error")


@dataclass
class Report:
    rows: dict[str, list[dict]]  # analysis name -> rows ([] when it could not run)
    query_errors: dict[str, str]  # analysis name -> dbt's error message
    objects: dict[str, dict[str, bool]]  # "group (schema)" -> object name -> found
    tests: dict[str, Any]  # test name -> dbt's result of it (.status, .failures, .message)

    @cached_property
    def checks(self) -> dict[str, bool]:
        compat = (self.rows["verify_compat"] or [{}])[0]
        reconciliation = self.rows["verify_reconciliation"]
        return {
            "new tables exist": bool(self.objects)
            and all(all(found.values()) for found in self.objects.values()),
            "compat view equals the legacy table": bool(compat)
            and _passed(self.tests.get(COMPAT_TEST))
            and compat["compat_rows_of_legacy_curves"]
            == compat["legacy_rows"] - compat["excepted_legacy_curves"],
            "reconciliation": bool(reconciliation)
            and all(row["unaccounted_rows"] == 0 for row in reconciliation),
            "data tests": bool(self.tests) and all(map(_passed, self.tests.values())),
        }

    def failed_checks(self) -> list[str]:
        failed = [name for name, ok in self.checks.items() if not ok]
        return failed + [f"query {name} could not run" for name in self.query_errors]


def run(ctx: Context, format: str = "text", output: Path | None = None) -> int:
    ctx.reporter.progress_to_stderr = output is None
    session, inventory = ctx.dbt, ctx.inventory
    with ctx.reporter.step("the report queries (dbt show of analyses/verify_*.sql)"):
        rows, errors = session.show(*ANALYSES)
    for name in ALWAYS_ROWS:
        if name not in errors and not rows.get(name):
            errors[name] = "dbt show returned no rows"
    with ctx.connected() as connection:
        objects = find(connection, inventory)
    present = {(obj.schema, obj.name, obj.kind) for obj in (*objects.relations, *objects.types)}
    groups: dict[str, dict[str, bool]] = defaultdict(dict)
    for table in inventory.legacy_tables:
        groups[f"legacy source ({inventory.legacy_schema})"][table] = table in objects.legacy_tables
    for relation in sorted(inventory.relations, key=lambda relation: relation.group):
        kind = "view" if relation.is_view else "table"
        found = (relation.schema, relation.identifier, kind) in present
        groups[f"{relation.group} ({relation.schema})"][relation.name] = found
    schema = inventory.target_schema
    for name in inventory.enum_types:
        groups[f"enum type ({schema})"][name] = (schema, name, "type") in present
    with ctx.reporter.step('the data tests (dbt test --exclude "source:*" test_type:unit)'):
        tested = session.invoke(["test", "--exclude", "source:*", "test_type:unit"])
    results = tested.result.results if tested.result else []
    tests = {result.node.name: result for result in results if result.node.resource_type == "test"}
    report = Report(
        rows={name: rows.get(name, []) for name in ANALYSES},
        query_errors=errors,
        objects=groups,
        tests=dict(sorted(tests.items())),
    )
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
    if failed := report.failed_checks():
        raise MigrationError(f"verification failed: {'; '.join(failed)}", EXIT_CHECK_FAILED)
    ctx.reporter.progress("every check passed")
    return EXIT_OK


class Document:
    def __init__(self, markdown: bool):
        self.markdown, self.lines = markdown, []

    def add(self, *lines: str) -> None:
        self.lines += [*lines, ""]

    def heading(self, text: str, level: int = 2) -> None:
        underline = ("=" if level == 1 else "-") * len(text)
        self.add(*([f"{'#' * level} {text}"] if self.markdown else [text, underline]))

    def para(self, text: str) -> None:
        self.add(text if self.markdown else textwrap.fill(text, width=100))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        lines = table_lines(headers, rows, markdown=self.markdown)
        self.add(*(lines if self.markdown else [f"  {line}" for line in lines]))

    def rows(self, rows: list[dict]) -> None:
        if rows:
            headers = [name.replace("_", " ") for name in rows[0]]
            self.table(headers, [list(row.values()) for row in rows])


def render(report: Report, markdown: bool = False) -> str:
    out, rows, checks, tests = Document(markdown), report.rows, report.checks, report.tests
    context, failed = (rows["project_context"] or [{}])[0], report.failed_checks()
    out.heading("Migration verification (runbook Step 4)", level=1)
    fields = {"result": VERDICT[not failed]}
    fields |= {label: context.get(column) for label, column in HEADER.items()}
    width = max(map(len, fields)) + 1
    for name, value in fields.items():
        value = "-" if value is None else value
        out.lines.append(
            f"- **{name}**: {value}" if markdown else f"  {name + ':':<{width}}  {value}"
        )
    out.add()
    if failed:
        out.para("Failed: " + "; ".join(failed) + ".")
    for name, message in report.query_errors.items():
        out.para(f"Query {name} could not run: {' '.join(message.split())}")

    out.heading(f"1. The new tables exist: {VERDICT[checks['new tables exist']]}")
    groups, new_tables = [], []
    for group, found in report.objects.items():
        missing = ", ".join(name for name, ok in found.items() if not ok)
        groups.append([group, len(found), sum(found.values()), missing])
        if group.startswith("new table ("):
            new_tables += found
    out.table(["objects", "expected", "found", "missing"], groups)
    if new_tables:
        out.para("New tables: " + ", ".join(new_tables) + ".")

    out.heading("2. Curves, instances and prices per market and location")
    out.rows(rows["verify_curves_by_market_location"])

    ok = checks["compat view equals the legacy table"]
    out.heading(f"3. Compatibility view curve_definitions_compat: {VERDICT[ok]}")
    if numbers := (rows["verify_compat"] or [None])[0]:
        out.table(
            ["relation", "rows"],
            [
                ["legacy curve_definitions", numbers["legacy_rows"]],
                ["curve_definitions_compat", numbers["compat_rows"]],
                ["  of which legacy curves", numbers["compat_rows_of_legacy_curves"]],
                ["legacy curves listed as exceptions", numbers["excepted_legacy_curves"]],
            ],
        )
        test = tests.get(COMPAT_TEST)
        if _passed(test):
            equality = f"yes ({COMPAT_TEST}: {test.status})"
        else:
            differing = f", {test.failures} differing rows" if test and test.failures else ""
            equality = f"NO ({COMPAT_TEST}: {test.status if test else 'not run'}{differing})"
        out.para(f"Every migrated legacy row equal in all columns: {equality}.")

    out.heading("4. Schedules per frequency")
    out.rows(rows["verify_schedules_by_frequency"])

    out.heading(f"5. Reconciliation: {VERDICT[checks['reconciliation']]}")
    out.para(
        "Every legacy row is migrated as a row of its own or listed in migration_exceptions: "
        "legacy = migrated + exceptions, so unaccounted must be 0. The new table also holds "
        "rows without a legacy row of their own (default schedules, application rows)."
    )
    reconciliation = rows["verify_reconciliation"]
    curves = [row for row in reconciliation if row["legacy_table"] == "curve_definitions"]
    if curves and context:
        out.para(
            f"Curves migrated: {curves[0]['migrated_rows']} of "
            f"{context['expected_curve_count']} expected (var expected_curve_count)."
        )
    out.rows(reconciliation)

    exceptions = rows["verify_exceptions_by_reason"]
    total = sum(row["exception_rows"] for row in exceptions)
    out.heading(f"6. Exceptions: {total} legacy rows not migrated, by reason")
    out.rows(exceptions)
    if not exceptions:
        out.para("None: every legacy row was migrated.")

    counts = sorted(Counter(str(test.status) for test in tests.values()).items())
    summary = ", ".join(f"{count} {status}" for status, count in counts) or "none run"
    out.heading(f"7. Data tests on the new tables: {VERDICT[checks['data tests']]} ({summary})")
    out.table(
        ["check", "result", "what it verifies"],
        [
            [name, str(test.status), " ".join((test.node.description or "").split())]
            for name, test in tests.items()
            if name.startswith("assert_")
        ],
    )
    if problems := [
        f"- {name}: {test.status}: {(test.message or '').strip()}"
        for name, test in tests.items()
        if test.status != "pass"
    ]:
        out.para("Tests that did not pass:")
        out.add(*problems)
    else:
        out.para(
            f"All {len(tests)} data tests passed (the checks above, plus keys, "
            "not-null, accepted values and foreign keys of every model)."
        )
    return "\n".join(out.lines).rstrip() + "\n"
