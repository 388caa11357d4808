"""Run dbt in-process (dbtRunner) against this project with the PG* environment."""

import os
import shutil
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import EXIT_USAGE, PROJECT_DIR, MigrationError

EventCallback = Callable[[Any], None]
Row = dict[str, Any]
# unit tests check SQL on fixed inputs: dbt runs them in CI (make test), not in a migration's builds
WITHOUT_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


def ensure_profile() -> Path:
    profile = PROJECT_DIR / "profiles.yml"
    if not profile.exists():
        shutil.copyfile(PROJECT_DIR / "profiles.example.yml", profile)
    return PROJECT_DIR


def invoke(
    args: Sequence[str],
    *,
    quiet: bool = False,
    manifest: Any = None,
    callbacks: Sequence[EventCallback] = (),
):
    """Run one dbt command on the project (with `manifest`, without parsing again); return its
    result. An exception inside dbt is a MigrationError (exit code 2); failing nodes are not."""
    from dbt.cli.main import dbtRunner

    flags = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(ensure_profile())]
    runner = dbtRunner(manifest=manifest, callbacks=list(callbacks))
    result = runner.invoke([*args, *flags, *(["--quiet"] if quiet else [])])
    if result.exception is not None:
        lines = [line.strip() for line in str(result.exception).splitlines() if line.strip()]
        reason = " ".join(lines[:3]) or type(result.exception).__name__
        raise MigrationError(f"dbt {args[0]} failed: {reason}", EXIT_USAGE)
    return result


class DbtSession:
    """One command's dbt invocations, on one parse. dbt logs only to a file, at DBT_LOG_LEVEL_FILE
    (debug by default); each command has its own target path: `status` leaves `migrate`'s alone."""

    def __init__(self, command: str, vars_yaml: str | None = None, full_parse: bool = False):
        self.full_parse = full_parse
        self._manifest = None
        # dbt's own DBT_TARGET_PATH and DBT_LOG_PATH (relative to the project) when set
        target = PROJECT_DIR / (os.environ.get("DBT_TARGET_PATH") or "target") / "forecast-migrate"
        logs = PROJECT_DIR / (os.environ.get("DBT_LOG_PATH") or "logs") / "forecast-migrate"
        self._flags = [
            "--target-path", str(target / command),
            "--log-path", str(logs),
            "--log-level", "none",
            "--log-level-file", os.environ.get("DBT_LOG_LEVEL_FILE") or "debug",
            *(["--vars", vars_yaml] if vars_yaml else []),
        ]  # fmt: skip

    @property
    def manifest(self):
        if self._manifest is None:
            parse = ["parse", "--no-partial-parse"] if self.full_parse else ["parse"]
            self._manifest = self.invoke(parse).result
        return self._manifest

    def invoke(self, args: Sequence[str], callbacks: Sequence[EventCallback] = ()):
        manifest = self.manifest if args[0] != "parse" else None
        return invoke([*args, *self._flags], manifest=manifest, callbacks=callbacks)

    def show(self, *analyses: str) -> tuple[dict[str, list[Row]], dict[str, str]]:
        """Run analyses with `dbt show`: their rows by name (whole Decimals as int, other
        Decimals as float), and the error of each that could not run."""
        result = self.invoke(["show", "--no-write-json", "--limit", "-1", "--select", *analyses])
        rows, errors = {}, {}
        for node_result in result.result.results if result.result else []:
            name, table = node_result.node.name, node_result.agate_table
            if str(node_result.status) != "success" or table is None:
                errors[name] = (node_result.message or str(node_result.status)).strip()
            else:
                rows[name] = [
                    dict(zip(table.column_names, map(_plain, row), strict=True))
                    for row in table.rows
                ]
        return rows, errors

    def show_one(self, analysis: str) -> list[Row]:
        rows, errors = self.show(analysis)
        if analysis not in rows:
            raise MigrationError(f"dbt show {analysis} failed: {errors.get(analysis, '?')}")
        return rows[analysis]

    def compiled(self, selector: str) -> dict[str, str]:
        result = self.invoke(["compile", "--select", selector, "--no-write-json"])
        return {done.node.name: done.node.compiled_code for done in result.result.results}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
