"""What the CLI prints: results always, progress lines (with elapsed time) unless --quiet, and
dbt's events turned into progress (which node runs, rows written, how long it takes)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


class Reporter:
    """Writes the CLI's output. Results always; progress only without --quiet."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._closed = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _write(self, text: str) -> None:
        """Print one line. When the reader went away (`| head`), keep working silently:
        a closed pipe must not abort a migration half-way."""
        with self._lock:
            if self._closed:
                return
            try:
                print(text, file=sys.stdout, flush=True)
            except BrokenPipeError:
                self._closed = True
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())

    def result(self, text: str = "") -> None:
        """A line of the command's answer (printed even with --quiet)."""
        self._write(text)

    def progress(self, text: str) -> None:
        """A progress line, stamped with the seconds since the command started."""
        if not self.quiet:
            self._write(f"[{self.elapsed():6.1f}s] {text}")

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Announce a long step and report how long it took."""
        self.progress(f"{title} ...")
        started = time.monotonic()
        yield
        self.progress(f"{title}: done in {time.monotonic() - started:.1f}s")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: int = 2) -> None:
        """A plain-text table of results, numbers right-aligned."""
        texts = [[_cell(value) for value in row] for row in rows]
        widths = [
            max([len(header)] + [len(row[index]) for row in texts])
            for index, header in enumerate(headers)
        ]
        numeric = [
            all(isinstance(row[index], int | float) for row in rows) and bool(rows)
            for index in range(len(headers))
        ]

        def line(cells: Sequence[str]) -> str:
            parts = [
                cell.rjust(width) if is_number else cell.ljust(width)
                for cell, width, is_number in zip(cells, widths, numeric, strict=True)
            ]
            return (" " * indent + "  ".join(parts)).rstrip()

        self.result(line(list(headers)))
        for row in texts:
            self.result(line(row))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass
class NodeOutcome:
    """One dbt node's result, as reported by its NodeFinished event."""

    name: str
    resource_type: str
    status: str
    message: str
    seconds: float
    rows: int | None = None
    failures: int | None = None


@dataclass
class DbtProgress:
    """A dbt event callback: progress lines for seeds and models (start, rows, time), a line
    for every test that warns or fails, the runbook lines of the on-run hooks, and a ticker
    for nodes that run long. Collects every node's outcome for the caller."""

    reporter: Reporter
    tick_seconds: float = 10.0
    outcomes: list[NodeOutcome] = field(default_factory=list)
    hook_lines: list[str] = field(default_factory=list)
    _running: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: Any) -> None:
        name = event.info.name
        if name == "LogStartLine":
            self._started(event.data)
        elif name == "NodeFinished":
            self._finished(event.data)
        elif name == "JinjaLogInfo":
            # the project's own log lines: the runbook's summary lines (price_load_batches,
            # on-run-end) and the readiness blockers (on-run-end)
            self.hook_lines.append(event.data.msg)
            self.reporter.result(event.data.msg)

    def _started(self, data: Any) -> None:
        node = data.node_info
        with self._lock:
            self._running[node.unique_id] = (node.node_name, time.monotonic())
        if node.resource_type in ("model", "seed"):
            self.reporter.progress(
                f"[{data.index}/{data.total}] {node.resource_type} {node.node_name} "
                f"({node.materialized}) running"
            )

    def _finished(self, data: Any) -> None:
        node = data.node_info
        result = data.run_result
        with self._lock:
            self._running.pop(node.unique_id, None)
        response = dict(result.adapter_response.items()) if result.adapter_response else {}
        rows = response.get("rows_affected")
        outcome = NodeOutcome(
            name=node.node_name,
            resource_type=node.resource_type,
            status=result.status,
            message=result.message,
            seconds=result.execution_time,
            rows=int(rows) if rows is not None and rows >= 0 else None,
            failures=int(result.num_failures) if result.num_failures else None,
        )
        with self._lock:
            self.outcomes.append(outcome)
        if node.resource_type in ("model", "seed"):
            written = f", {outcome.rows} rows" if outcome.rows is not None else ""
            self.reporter.progress(
                f"{node.resource_type} {node.node_name}: {outcome.status}{written} "
                f"in {outcome.seconds:.1f}s"
            )
        elif outcome.status not in ("pass", "success", "warn"):
            self.reporter.progress(f"test {node.node_name}: {outcome.status} {outcome.message}")

    def _tick(self, stop: threading.Event) -> None:
        while not stop.wait(self.tick_seconds):
            now = time.monotonic()
            with self._lock:
                long_running = [
                    (node_name, now - started)
                    for node_name, started in self._running.values()
                    if now - started >= self.tick_seconds
                ]
            for node_name, seconds in long_running:
                self.reporter.progress(f"{node_name} still running ({seconds:.0f}s)")

    @contextmanager
    def ticking(self) -> Iterator[None]:
        """Report nodes still running every tick_seconds while the block runs."""
        stop = threading.Event()
        thread = threading.Thread(target=self._tick, args=(stop,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def count(self, resource_type: str, *statuses: str) -> int:
        return sum(
            1
            for outcome in self.outcomes
            if outcome.resource_type == resource_type and outcome.status in statuses
        )

    def problems(self) -> list[NodeOutcome]:
        """Nodes that failed, errored or were skipped, in the order they finished."""
        return [
            outcome
            for outcome in self.outcomes
            if outcome.status in ("error", "fail", "runtime error", "skipped")
        ]
