"""Run dbt in-process (dbtRunner) against this project with the PG* environment."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import EXIT_USAGE, PROJECT_DIR, MigrationError

EventCallback = Callable[[Any], None]
Row = dict[str, Any]


def ensure_profile() -> Path:
    """Return the profiles dir, creating profiles.yml from profiles.example.yml if missing."""
    profile = PROJECT_DIR / "profiles.yml"
    if not profile.exists():
        shutil.copyfile(PROJECT_DIR / "profiles.example.yml", profile)
    return PROJECT_DIR


def project_flags() -> list[str]:
    return ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(ensure_profile())]


def artifact_dir(variable: str, default: str) -> Path:
    """Where dbt writes: dbt's own variable (`DBT_TARGET_PATH`, `DBT_LOG_PATH`; a relative path
    is taken from the project directory) when set, else `default` in the project."""
    return PROJECT_DIR / (os.environ.get(variable) or default)


def invoke(
    args: Sequence[str],
    *,
    quiet: bool = False,
    manifest: Any = None,
    callbacks: Sequence[EventCallback] = (),
):
    """Run one dbt command, printing dbt's own output; return dbt's result object. With
    `manifest` (a parse's result) dbt does not parse the project again."""
    from dbt.cli.main import dbtRunner

    runner = dbtRunner(manifest=manifest, callbacks=list(callbacks))
    result = runner.invoke([*args, *project_flags(), *(["--quiet"] if quiet else [])])
    if result.exception is not None:
        raise MigrationError(f"dbt {args[0]} failed: {result.exception}", EXIT_USAGE)
    return result


class DbtSession:
    """The dbt invocations of one forecast-migrate command, run in-process one at a time.

    The project is parsed once and the manifest reused (`full_parse` when singular tests'
    descriptions are needed: partial parsing can drop them, dbt-core#10801). dbt prints
    nothing itself (the caller turns its events into progress); its debug log goes to
    logs/forecast-migrate/ (under `DBT_LOG_PATH` when set). Each command gets its own target
    path (target/forecast-migrate/<command>, under `DBT_TARGET_PATH` when set), so a
    `status` run beside a `migrate` does not write over the other's artifacts.
    """

    def __init__(self, command: str, vars_yaml: str | None = None, full_parse: bool = False):
        self.full_parse = full_parse
        self._manifest = None
        target = artifact_dir("DBT_TARGET_PATH", "target") / "forecast-migrate" / command
        self._flags = [
            *project_flags(),
            "--target-path", str(target),
            "--log-path", str(artifact_dir("DBT_LOG_PATH", "logs") / "forecast-migrate"),
            "--log-level", "none",
            "--log-level-file", "debug",
            *(["--vars", vars_yaml] if vars_yaml else []),
        ]  # fmt: skip

    @property
    def manifest(self):
        """dbt's parsed Manifest of the project (nodes, sources, macros)."""
        if self._manifest is None:
            parse = ["parse", "--no-partial-parse"] if self.full_parse else ["parse"]
            self._manifest = self.invoke(parse).result
        return self._manifest

    def invoke(self, args: Sequence[str], callbacks: Sequence[EventCallback] = ()):
        """Run one dbt command; return dbt's result (`.success`, `.result`).

        An exception inside dbt (profile, connection, compilation) is a MigrationError with
        exit code 2; failing nodes are not: the caller reads them from the result.
        """
        from dbt.cli.main import dbtRunner

        manifest = self.manifest if args[0] != "parse" else None
        result = dbtRunner(manifest=manifest, callbacks=list(callbacks)).invoke(
            [*args, *self._flags]
        )
        if result.exception is not None:
            raise MigrationError(
                f"dbt {args[0]} failed: {_first_line(result.exception)}", EXIT_USAGE
            )
        return result

    def show(self, *analyses: str) -> tuple[dict[str, list[Row]], dict[str, str]]:
        """Run analyses with `dbt show`: their rows by name, and the error of each that
        could not run."""
        result = self.invoke(["show", "--select", " ".join(analyses), "--limit", "-1"])
        rows: dict[str, list[Row]] = {}
        errors: dict[str, str] = {}
        for node_result in result.result.results if result.result else []:
            name = node_result.node.name
            if str(node_result.status) != "success" or node_result.agate_table is None:
                errors[name] = (node_result.message or str(node_result.status)).strip()
            else:
                rows[name] = _rows(node_result.agate_table)
        return rows, errors

    def show_one(self, analysis: str) -> list[Row]:
        """The rows of one analysis; a MigrationError when it could not run."""
        rows, errors = self.show(analysis)
        if analysis not in rows:
            raise MigrationError(f"dbt show {analysis} failed: {errors.get(analysis, '?')}")
        return rows[analysis]

    def compiled(self, selector: str) -> dict[str, str]:
        """The SQL of the analyses `selector` selects, compiled: name -> SELECT."""
        result = self.invoke(["compile", "--select", selector])
        return {
            node_result.node.name: node_result.node.compiled_code
            for node_result in result.result.results
        }


def _plain(value: Any) -> Any:
    """agate's values as plain Python: whole Decimals as int, other Decimals as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(agate_table) -> list[Row]:
    names = agate_table.column_names
    return [
        {name: _plain(value) for name, value in zip(names, row, strict=True)}
        for row in agate_table.rows
    ]


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(error).__name__
