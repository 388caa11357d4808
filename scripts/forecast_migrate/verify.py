"""`forecast-migrate verify`: the runbook's Step 4 checks, as a readable report.

Runs the `verify_*` analyses of the dbt project (`analyses/`, through `dbt show`) and the
project's data tests on the new tables (`dbt test --exclude "source:*"`), then prints:
the new tables exist; curves, instances and prices per market and location; the compat
view's row count and its equality with the legacy table; schedules per frequency; the
reconciliation totals; every row of `migration_exceptions` grouped by reason; and the data
tests. `--format markdown` writes the same as a Markdown report for a change ticket.

    python -m forecast_migrate.verify [--format {text,markdown}] [--output FILE] [--quiet]

Exit codes: 0 every check passed, 1 a check failed (the report says which), 2 a usage or
connection error. All SQL lives in dbt; this module only runs it and lays out the results.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import MigrationError, dbt

FORMATS = ("text", "markdown")

# name of the analysis -> the Report field it fills
ANALYSES = {
    "verify_context": "context",
    "verify_relations": "relations",
    "verify_curves_by_market_location": "curves_by_market_location",
    "verify_compat": "compat",
    "verify_schedules_by_frequency": "schedules_by_frequency",
    "verify_reconciliation": "reconciliation",
    "verify_exceptions_by_reason": "exceptions_by_reason",
}
COMPAT_TEST = "assert_compat_views_match_legacy"
# analyses that return at least one row whenever they run
ALWAYS_ROWS = ("verify_context", "verify_relations", "verify_compat", "verify_reconciliation")

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

    context: list[Row] = field(default_factory=list)
    relations: list[Row] = field(default_factory=list)
    curves_by_market_location: list[Row] = field(default_factory=list)
    compat: list[Row] = field(default_factory=list)
    schedules_by_frequency: list[Row] = field(default_factory=list)
    reconciliation: list[Row] = field(default_factory=list)
    exceptions_by_reason: list[Row] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    # analysis name -> dbt's error message, for queries that could not run
    query_errors: dict[str, str] = field(default_factory=dict)

    # ---- the checks ------------------------------------------------------------------

    @property
    def missing_objects(self) -> list[Row]:
        return [row for row in self.relations if row["found_kind"] != row["expected_kind"]]

    @property
    def relations_ok(self) -> bool:
        return (
            "verify_relations" not in self.query_errors
            and bool(self.relations)
            and not self.missing_objects
        )

    @property
    def compat_test(self) -> TestResult | None:
        return next((test for test in self.tests if test.name == COMPAT_TEST), None)

    @property
    def compat_ok(self) -> bool:
        if not self.compat or self.compat_test is None or self.compat_test.failed:
            return False
        numbers = self.compat[0]
        expected = numbers["legacy_rows"] - numbers["excepted_legacy_curves"]
        return numbers["compat_rows_of_legacy_curves"] == expected

    @property
    def reconciliation_ok(self) -> bool:
        return bool(self.reconciliation) and all(
            row["unaccounted_rows"] == 0 for row in self.reconciliation
        )

    @property
    def tests_ok(self) -> bool:
        return bool(self.tests) and not any(test.failed for test in self.tests)

    @property
    def failed_checks(self) -> list[str]:
        checks = {
            "new tables exist": self.relations_ok,
            "compat view equals the legacy table": self.compat_ok,
            "reconciliation": self.reconciliation_ok,
            "data tests": self.tests_ok,
        }
        failed = [name for name, ok in checks.items() if not ok]
        failed += [f"query {name} could not run" for name in self.query_errors]
        return failed

    @property
    def passed(self) -> bool:
        return not self.failed_checks


# ---- collecting ------------------------------------------------------------------------


def _dbt_args(vars: dict[str, Any] | None) -> list[str]:
    return ["--vars", json.dumps(vars)] if vars else []


def _plain(value: Any) -> Any:
    """agate's values as plain Python: whole Decimals as int, everything else as is."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(agate_table) -> list[Row]:
    return [
        {name: _plain(value) for name, value in zip(agate_table.column_names, row, strict=True)}
        for row in agate_table.rows
    ]


def collect(
    vars: dict[str, Any] | None = None, progress: Callable[[str], None] | None = None
) -> Report:
    """Run the analyses and the data tests; return what they found.

    Raises MigrationError (exit 2) when dbt cannot run at all (no connection, bad project).
    """
    report = Report()
    say = progress or (lambda message: None)

    say("running the report queries (dbt show of analyses/verify_*.sql)")
    shown = dbt.invoke(
        # a full parse: partial parsing can drop the descriptions of singular tests
        # (dbt-core#10801), and the report prints them; the next invocation reuses it
        ["show", "--select", " ".join(ANALYSES), "--limit", "-1", "--log-level", "none"]
        + ["--no-partial-parse"]
        + _dbt_args(vars),
        quiet=True,
    )
    for node_result in shown.result.results if shown.result else []:
        name = node_result.node.name
        if name not in ANALYSES:
            continue
        if str(node_result.status) != "success" or node_result.agate_table is None:
            report.query_errors[name] = (node_result.message or str(node_result.status)).strip()
            continue
        setattr(report, ANALYSES[name], _rows(node_result.agate_table))
    for name in ALWAYS_ROWS:  # the others may rightly be empty (e.g. no exceptions)
        if name not in report.query_errors and not getattr(report, ANALYSES[name]):
            report.query_errors[name] = "dbt show returned no rows"

    say('running the data tests (dbt test --exclude "source:*")')
    tested = dbt.invoke(
        ["test", "--exclude", "source:*", "--log-level", "none"] + _dbt_args(vars), quiet=True
    )
    for node_result in tested.result.results if tested.result else []:
        node = node_result.node
        if node.resource_type != "test":
            continue
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


def missing_objects(vars: dict[str, Any] | None = None) -> list[Row]:
    """The objects of `verify_relations` (legacy tables, new tables, view, enum types,
    working schema) that the database lacks, by one `dbt show`."""
    shown = dbt.invoke(
        ["show", "--select", "verify_relations", "--limit", "-1", "--log-level", "none"]
        + _dbt_args(vars),
        quiet=True,
    )
    results = shown.result.results if shown.result else []
    if not results or results[0].agate_table is None:
        raise MigrationError("could not read the catalog (dbt show verify_relations failed)", 2)
    return [
        row for row in _rows(results[0].agate_table) if row["found_kind"] != row["expected_kind"]
    ]


# ---- rendering -------------------------------------------------------------------------


def id_ranges(ids: Sequence[int]) -> str:
    """Ids as compact ranges: [1, 2, 3, 7, 9, 10] -> '1-3, 7, 9-10'."""
    parts: list[str] = []
    ordered = sorted(set(ids))
    start = previous = None
    for value in ordered + [None]:
        if start is not None and (value is None or value != previous + 1):
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = None
        if value is not None and start is None:
            start = value
        previous = value
    return ", ".join(parts)


def _ids(row: Row) -> list[int]:
    return [int(part) for part in str(row["source_ids"]).split(",") if part.strip()]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class _Writer:
    """Headings, paragraphs and tables, as aligned text or as Markdown."""

    def __init__(self, markdown: bool):
        self.markdown = markdown
        self.lines: list[str] = []

    def title(self, text: str) -> None:
        self.lines += [f"# {text}" if self.markdown else text, ""]
        if not self.markdown:
            self.lines.insert(-1, "=" * len(text))

    def heading(self, text: str) -> None:
        if self.markdown:
            self.lines += [f"## {text}", ""]
        else:
            self.lines += [text, "-" * len(text), ""]

    def para(self, text: str) -> None:
        self.lines += [text if self.markdown else textwrap.fill(text, width=100), ""]

    def fields(self, items: Sequence[tuple[str, Any]]) -> None:
        """Name: value lines (a list in Markdown)."""
        width = max(len(name) for name, _ in items)
        if self.markdown:
            self.lines += [f"- **{name}**: {_escape(_cell(value))}" for name, value in items]
        else:
            self.lines += [f"  {name + ':':<{width + 1}}  {_cell(value)}" for name, value in items]
        self.lines.append("")

    def bullets(self, items: Sequence[str]) -> None:
        self.lines += [f"- {item}" for item in items] + [""]

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric=()) -> None:
        cells = [[_cell(value) for value in row] for row in rows]
        if self.markdown:
            self.lines.append("| " + " | ".join(headers) + " |")
            self.lines.append(
                "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"
            )
            for row in cells:
                self.lines.append("| " + " | ".join(_escape(cell) for cell in row) + " |")
        else:
            widths = [
                max([len(header)] + [len(row[i]) for row in cells])
                for i, header in enumerate(headers)
            ]

            def line(values: Sequence[str]) -> str:
                return "  ".join(
                    value.rjust(widths[i]) if i in numeric else value.ljust(widths[i])
                    for i, value in enumerate(values)
                ).rstrip()

            self.lines.append("  " + line(headers))
            self.lines.append("  " + line(["-" * width for width in widths]))
            self.lines += ["  " + line(row) for row in cells]
        self.lines.append("")

    def code(self, text: str) -> None:
        if self.markdown:
            self.lines += ["```", text, "```", ""]
        else:
            self.lines += ["  " + line for line in text.splitlines()] + [""]

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _escape(cell: str) -> str:
    """A table cell for Markdown: pipes escaped, line breaks as spaces."""
    return cell.replace("|", "\\|").replace("\n", " ")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value)


def render(report: Report, format: str = "text") -> str:
    """The report as text (aligned tables) or Markdown (for a change ticket)."""
    if format not in FORMATS:
        raise MigrationError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}", 2)
    out = _Writer(markdown=format == "markdown")
    context = report.context[0] if report.context else {}
    out.title("Migration verification (runbook Step 4)")
    out.fields(
        [
            ("result", _verdict(report.passed)),
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
        out.para(f"Query {name} could not run:")
        out.code(message)

    # 1. the new tables exist
    out.heading(f"1. The new tables exist: {_verdict(report.relations_ok)}")
    groups: dict[str, list[Row]] = {}
    for row in report.relations:
        groups.setdefault(row["object_group"], []).append(row)
    out.table(
        ["objects", "expected", "found", "missing"],
        [
            [
                f"{group} ({rows[0]['schema_name']})",
                len(rows),
                sum(1 for row in rows if row["found_kind"] == row["expected_kind"]),
                ", ".join(
                    row["object_name"] for row in rows if row["found_kind"] != row["expected_kind"]
                ),
            ]
            for group, rows in groups.items()
        ],
        numeric=(1, 2),
    )
    new_tables = [
        row["object_name"] for row in report.relations if row["object_group"] == "new table"
    ]
    if new_tables:
        out.para("New tables: " + ", ".join(new_tables) + ".")

    # 2. per market and location
    out.heading("2. Curves, instances and prices per market and location")
    rows = report.curves_by_market_location
    totals = [
        "total",
        "",
        *(sum(row[key] for row in rows) for key in ("curves", "instances", "prices")),
    ]
    out.table(
        ["market", "location", "curves", "instances", "prices"],
        [
            [row["market"], row["location"], row["curves"], row["instances"], row["prices"]]
            for row in rows
        ]
        + [totals],
        numeric=(2, 3, 4),
    )

    # 3. compat view
    out.heading(f"3. Compatibility view curve_definitions_compat: {_verdict(report.compat_ok)}")
    if report.compat:
        numbers = report.compat[0]
        test = report.compat_test
        out.table(
            ["relation", "rows"],
            [
                ["legacy curve_definitions", numbers["legacy_rows"]],
                ["curve_definitions_compat", numbers["compat_rows"]],
                ["  of which legacy curves", numbers["compat_rows_of_legacy_curves"]],
                ["legacy curves listed as exceptions", numbers["excepted_legacy_curves"]],
            ],
            numeric=(1,),
        )
        equality = (
            f"yes ({COMPAT_TEST}: {test.status})"
            if test and not test.failed
            else f"NO ({COMPAT_TEST}: {test.status if test else 'not run'}"
            + (f", {test.failures} differing rows" if test and test.failures else "")
            + ")"
        )
        out.para(f"Every migrated legacy row equal in all columns: {equality}.")

    # 4. schedules per frequency
    out.heading("4. Schedules per frequency")
    rows = report.schedules_by_frequency
    keys = ("schedules", "from_legacy_schedule", "from_default_rule", "written_by_application")
    out.table(
        ["frequency", "schedules", "from legacy schedule", "from default rule", "by application"],
        [[row["frequency"], *(row[key] for key in keys)] for row in rows]
        + [["total", *(sum(row[key] for row in rows) for key in keys)]],
        numeric=(1, 2, 3, 4),
    )

    # 5. reconciliation
    out.heading(f"5. Reconciliation: {_verdict(report.reconciliation_ok)}")
    out.para(
        "Every legacy row is migrated as a row of its own or listed in migration_exceptions: "
        "legacy = migrated + exceptions, so unaccounted must be 0. The new table also holds "
        "rows without a legacy row of their own (default schedules, application rows)."
    )
    curves = next(
        (row for row in report.reconciliation if row["legacy_table"] == "curve_definitions"), None
    )
    if curves and context:
        out.para(
            f"Curves migrated: {curves['migrated_rows']} of {context['expected_curve_count']} "
            "expected (var expected_curve_count)."
        )
    out.table(
        ["legacy table", "legacy", "migrated", "exceptions", "unaccounted", "new table", "rows"],
        [
            [
                row["legacy_table"],
                row["legacy_rows"],
                row["migrated_rows"],
                row["exception_rows"],
                row["unaccounted_rows"],
                row["target_table"],
                row["target_rows"],
            ]
            for row in report.reconciliation
        ],
        numeric=(1, 2, 3, 4, 6),
    )

    # 6. exceptions
    total = sum(row["exception_rows"] for row in report.exceptions_by_reason)
    out.heading(f"6. Exceptions: {total} legacy rows not migrated, by reason")
    if report.exceptions_by_reason:
        out.table(
            ["legacy table", "rows", "legacy ids", "reason"],
            [
                [row["source_table"], row["exception_rows"], id_ranges(_ids(row)), row["reason"]]
                for row in report.exceptions_by_reason
            ],
            numeric=(1,),
        )
    else:
        out.para("None: every legacy row was migrated.")

    # 7. data tests
    counts: dict[str, int] = {}
    for test in report.tests:
        counts[test.status] = counts.get(test.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    out.heading(
        f"7. Data tests on the new tables: {_verdict(report.tests_ok)} ({summary or 'none run'})"
    )
    singular = [test for test in report.tests if test.name.startswith("assert_")]
    out.table(
        ["check", "result", "what it verifies"],
        [[test.name, test.status, test.description] for test in singular],
    )
    problems = [test for test in report.tests if test.status != "pass"]
    if problems:
        out.para("Tests that did not pass:")
        out.bullets([f"{test.name}: {test.status}: {test.message}" for test in problems])
    else:
        out.para(
            f"All {len(report.tests)} data tests passed (the checks above, plus keys, "
            "not-null, accepted values and foreign keys of every model)."
        )
    return out.text()


# ---- the command -----------------------------------------------------------------------


def run(
    format: str = "text",
    output: Path | None = None,
    quiet: bool = False,
    vars: dict[str, Any] | None = None,
) -> Report:
    """Verify the migration and print (or write to `output`) the report.

    Raises MigrationError with exit code 1 when a check failed (after the report is
    written), 2 when the database cannot be reached or the format is unknown.
    """
    if format not in FORMATS:
        raise MigrationError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}", 2)

    def progress(message: str) -> None:
        if not quiet:
            print(f"verify: {message}", file=sys.stderr)

    report = collect(vars=vars, progress=progress)
    text = render(report, format)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text)
        except OSError as error:
            raise MigrationError(f"cannot write {output}: {error.strerror}", 2) from error
        progress(f"report written to {output}")
    if not report.passed:
        raise MigrationError("verification failed: " + "; ".join(report.failed_checks), 1)
    progress("every check passed")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forecast-migrate verify", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (aligned tables, default) or markdown (for a change ticket)",
    )
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress messages on stderr, only the report"
    )
    args = parser.parse_args(argv)
    try:
        run(format=args.format, output=args.output, quiet=args.quiet)
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
