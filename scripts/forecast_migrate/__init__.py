"""Orchestration around the forecast_migration dbt project: embedded server, demo, CLI."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


class MigrationError(Exception):
    """A failure the user can act on; the CLI prints it as one line `error: <reason>`."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code
