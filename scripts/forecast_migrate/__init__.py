"""Orchestration around the forecast_migration dbt project: embedded server, demo, CLI."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Exit codes of the forecast-migrate command (documented in README.md and --help).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # a check failed or the command refused: nothing unsafe was done
EXIT_USAGE = 2  # bad arguments, no connection, missing schema or privileges: nothing written


class MigrationError(Exception):
    """A failure the user can act on; the CLI prints it as one line `error: <reason>`."""

    def __init__(self, message: str, exit_code: int = EXIT_CHECK_FAILED):
        super().__init__(message)
        self.exit_code = exit_code
