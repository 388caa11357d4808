"""What the CLI prints (through `rich`): results always, progress lines unless --quiet, tables,
and dbt's events as progress (on a terminal, a live line of the nodes still running)."""

import io
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text


def table_lines(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, markdown: bool = False
) -> list[str]:
    """Rows as an aligned table (numbers right-aligned), or as a Markdown table."""
    table = Table(box=box.MARKDOWN if markdown else None, show_edge=markdown, pad_edge=markdown,
                  padding=(0, 1) if markdown else (0, 2, 0, 0), header_style="")  # fmt: skip
    for index, header in enumerate(headers):
        numeric = bool(rows) and all(isinstance(row[index], int | float) for row in rows)
        table.add_column(header, justify="right" if numeric else "left")
    for row in rows:
        cells = [", ".join(map(str, v)) if isinstance(v, list | tuple) else v for v in row]
        cells = ["" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v) for v in cells]
        if markdown:
            cells = [cell.replace("|", "\\|").replace("\n", " ") for cell in cells]
        table.add_row(*map(Text, cells))
    console = Console(file=io.StringIO(), width=10_000, color_system=None)
    console.print(table)
    return [line.rstrip() for line in console.file.getvalue().splitlines() if line.strip()]


class Reporter:
    def __init__(self, quiet: bool = False):
        self.quiet, self.started = quiet, time.monotonic()
        self.console = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)
        self.progress_to_stderr = False  # when the result is a document on stdout
        self._closed = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def result(self, text: str = "") -> None:
        """A line of the command's answer (printed even with --quiet). When the reader went
        away (`| head`), keep working silently: a closed pipe must not abort a migration."""
        try:
            if not self._closed:
                self.console.print(text)
                self.console.file.flush()
        except BrokenPipeError:
            self._closed = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def progress(self, text: str) -> None:
        line = f"[{self.elapsed():6.1f}s] {text}"
        if self.progress_to_stderr and not self.quiet:
            print(line, file=sys.stderr, flush=True)
        elif not self.quiet:
            self.result(line)

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.progress(f"{title} ...")
        started = time.monotonic()
        yield
        self.progress(f"{title}: done in {time.monotonic() - started:.1f}s")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        for line in table_lines(headers, rows):
            self.result(f"  {line}")


class DbtProgress:
    """A dbt event callback: progress lines, and every node's NodeFinished data and rows written."""

    def __init__(self, reporter: Reporter):
        self.reporter = reporter
        self.finished: list[Any] = []
        self.hook_lines: list[str] = []
        self.rows_written: dict[str, int] = {}  # model name -> rows
        self._live: Progress | None = None
        self._tasks: dict[str, Any] = {}

    def __call__(self, event: Any) -> None:
        name, data = event.info.name, event.data
        if name == "LogStartLine":
            node = data.node_info
            self._tasks[node.unique_id] = self._live.add_task(f"{node.node_name} running")
            if node.resource_type in ("model", "seed"):
                self.reporter.progress(
                    f"[{data.index}/{data.total}] {node.resource_type} {node.node_name} "
                    f"({node.materialized}) running"
                )
        elif name == "NodeFinished":
            node, result = data.node_info, data.run_result
            if (task := self._tasks.pop(node.unique_id, None)) is not None:
                self._live.remove_task(task)  # added while this _live runs
            self.finished.append(data)
            response = dict(result.adapter_response.items()) if result.adapter_response else {}
            rows = response.get("rows_affected")
            rows = int(rows) if rows is not None and rows >= 0 else None
            if node.resource_type == "model" and rows is not None:
                self.rows_written[node.node_name] = rows
            if node.resource_type in ("model", "seed"):
                written = f", {rows} rows" if rows is not None else ""
                self.reporter.progress(
                    f"{node.resource_type} {node.node_name}: {result.status}{written} "
                    f"in {result.execution_time:.1f}s"
                )
            elif result.status not in ("pass", "success", "warn"):
                self.reporter.progress(f"test {node.node_name}: {result.status} {result.message}")
        elif name == "JinjaLogInfo":
            # the project's own log lines: the runbook's summary lines (price_load_batches,
            # on-run-end) and the readiness blockers (on-run-end)
            self.hook_lines.append(data.msg)
            self.reporter.result(data.msg)

    def invoke(self, session: Any, title: str, *args: str) -> bool:
        """Run `dbt args` in `session` as step `title`; whether no node failed or was skipped."""
        console = self.reporter.console
        hidden = self.reporter.quiet or not console.is_terminal
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        live = Progress(*columns, console=console, transient=True, disable=hidden)
        with self.reporter.step(title), live as self._live:
            result = session.invoke(list(args), callbacks=[self])
        self._live = None
        return result.success and not self.problems()

    def count(self, resource_type: str, *statuses: str) -> int:
        finished = [data for data in self.finished if data.node_info.resource_type == resource_type]
        return sum(data.run_result.status in statuses for data in finished)

    def problems(self) -> list[Any]:
        problem = ("error", "fail", "runtime error", "skipped")
        return [data for data in self.finished if data.run_result.status in problem]

    def first_problem(self) -> str:
        if not (problems := self.problems()):
            return "see logs/forecast-migrate"
        node, result = problems[0].node_info, problems[0].run_result
        return f"{node.node_name}: {result.status}: {result.message}"
