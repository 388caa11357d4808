"""Run dbt in-process (dbtRunner) against this project with the PG* environment."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import EXIT_USAGE, PROJECT_DIR, MigrationError


def ensure_profile(project_dir: Path = PROJECT_DIR) -> Path:
    """Return the profiles dir, creating profiles.yml from profiles.example.yml if missing."""
    profile = project_dir / "profiles.yml"
    if not profile.exists():
        shutil.copyfile(project_dir / "profiles.example.yml", profile)
    return project_dir


def invoke(args: Sequence[str], *, project_dir: Path = PROJECT_DIR, quiet: bool = False):
    """Run one dbt command; return dbt's result object (`.success`, `.result`)."""
    from dbt.cli.main import dbtRunner

    profiles_dir = ensure_profile(project_dir)
    flags = ["--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir)]
    if quiet:
        flags += ["--quiet"]
    result = dbtRunner().invoke([*args, *flags])
    if result.exception is not None:
        raise MigrationError(f"dbt {args[0]} failed: {result.exception}", exit_code=2)
    return result


EventCallback = Callable[[Any], None]


class DbtSession:
    """The dbt invocations of one forecast-migrate command, run in-process one at a time.

    The project is parsed once and the manifest reused. dbt prints nothing itself (the
    caller turns its events into progress); its debug log goes to logs/forecast-migrate/.
    Each command gets its own target path, so a `status` run beside a `migrate` does not
    write over the other's artifacts.
    """

    def __init__(self, command: str, vars_yaml: str | None = None, project_dir: Path = PROJECT_DIR):
        self.project_dir = project_dir
        self.vars_yaml = vars_yaml
        self._manifest = None
        self._flags = [
            "--project-dir", str(project_dir),
            "--profiles-dir", str(ensure_profile(project_dir)),
            "--target-path", str(project_dir / "target" / "forecast-migrate" / command),
            "--log-path", str(project_dir / "logs" / "forecast-migrate"),
            "--log-level", "none",
            "--log-level-file", "debug",
        ]  # fmt: skip
        if vars_yaml:
            self._flags += ["--vars", vars_yaml]

    def invoke(self, args: Sequence[str], callbacks: Sequence[EventCallback] = ()):
        """Run one dbt command; return dbt's result (`.success`, `.result`).

        An exception inside dbt (profile, connection, compilation) is a MigrationError with
        exit code 2; failing nodes are not: the caller reads them from the result.
        """
        from dbt.cli.main import dbtRunner

        if self._manifest is None and args[0] != "parse":
            self._parse()
        runner = dbtRunner(manifest=self._manifest, callbacks=list(callbacks))
        result = runner.invoke([*args, *self._flags])
        if result.exception is not None:
            raise MigrationError(
                f"dbt {args[0]} failed: {_first_line(result.exception)}", EXIT_USAGE
            )
        return result

    def _parse(self) -> None:
        result = self.invoke(["parse"])
        self._manifest = result.result

    def operation_json(self, macro: str) -> dict[str, Any]:
        """Run a run-operation macro that logs `<macro>: <json>` once; return the JSON."""
        prefix = f"{macro}: "
        payloads: list[str] = []

        def capture(event: Any) -> None:
            if event.info.name in ("JinjaLogDebug", "JinjaLogInfo"):
                message = event.data.msg
                if message.startswith(prefix):
                    payloads.append(message[len(prefix) :])

        result = self.invoke(["run-operation", macro], callbacks=[capture])
        if not result.success or len(payloads) != 1:
            raise MigrationError(f"dbt run-operation {macro} did not report its result")
        return json.loads(payloads[0])


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(error).__name__
