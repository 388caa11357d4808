"""Run dbt in-process (dbtRunner) against this project with the PG* environment."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from . import PROJECT_DIR, MigrationError


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
