"""forecast-migrate: the runbook's maintenance window as commands. This module only parses
arguments and calls the command functions in commands/ (errors: see `guarded`)."""

import argparse
import datetime
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import psycopg2

from . import EXIT_CHECK_FAILED, EXIT_USAGE, MigrationError
from .commands import backup, check, cleanup, cutover, migrate, monitor, rollback, status, verify
from .context import Context
from .database import one_line
from .progress import Reporter
from .state import DEFAULT_RETENTION_DAYS

EPILOG = """\
sequence of a maintenance window:
  forecast-migrate check      readiness report and source tests (Step 1), writes nothing
  forecast-migrate migrate    check, verified backup, dbt build, verification (Steps 1-4)
  forecast-migrate status     where the transition stands
  forecast-migrate verify     Step 4 report (--format markdown for the change ticket)
  forecast-migrate cutover    carry over the old application's last writes in a write
                              freeze of seconds, then make the legacy tables read-only
  forecast-migrate rollback   back to the legacy tables, verified against the backup
  forecast-migrate monitor    after the switch (Step 7): legacy and application writes,
                              scheduled jobs, access, performance, errors; reads only
  forecast-migrate cleanup    backups and legacy tables past their retention (dry run)

connection: the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), as the
dbt profile reads them.

exit codes:
  0  ok
  1  a check failed or the command refused (blocker, already migrated, lock held,
     application rows present, verification mismatch, too young to clean up)
  2  usage or connection error (bad arguments, server unreachable, authentication,
     missing legacy schema, missing privileges); nothing was written
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _common_options() -> argparse.ArgumentParser:
    """Options every command takes, before or after the command name (a parent parser; its
    defaults are suppressed so that an option given before the command name stays set)."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--vars",
        metavar="YAML",
        help="dbt vars for every dbt step, e.g. '{legacy_schema: Forecasts}'",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines; results and errors only"
    )
    common.add_argument(
        "-y", "--yes", "--non-interactive",
        dest="yes",
        action="store_true",
        help="never ask for confirmation (for scripts); required without a terminal",
    )  # fmt: skip
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="forecast-migrate",
        description='Migrate the legacy "Forecasts" schema with the forecast_migration dbt '
        "project, safely: verified backup, one-command migration, guarded rollback.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options()],
    )
    parser.set_defaults(vars=None, quiet=False, yes=False)  # sets them on its own copy only
    common = _common_options()  # the subcommands' copy: set only when given after the name
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(module: ModuleType, help_text: str) -> argparse.ArgumentParser:
        name = module.__name__.rpartition(".")[2]
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
        sub.set_defaults(run=module.run)
        return sub

    def flag(sub: argparse.ArgumentParser, name: str, help_text: str) -> None:
        sub.add_argument(name, action="store_true", help=help_text)

    def lock_options(sub: argparse.ArgumentParser, default: float, give_up: str) -> None:
        sub.add_argument(
            "--lock-timeout",
            type=float,
            default=default,
            metavar="SECONDS",
            help=f"{give_up} when the tables stay locked this long (default %(default)s, "
            "3 attempts)",
        )
        flag(sub, "--print-sql", "print the statements instead of running them")

    command(check, "readiness report and source tests (runbook Step 1); writes nothing")

    sub = command(backup, "copy the legacy tables into a new, verified backup schema (Step 2)")
    sub.add_argument("--name", help="backup schema name (default backup_<today>)")
    sub.add_argument("--verify", metavar="NAME", help="re-check backup NAME against its manifest")

    sub = command(migrate, "check, backup, dbt build, verification summary (Steps 1-4)")
    sub.add_argument(
        "--backup-name", help="name of the backup taken first (default backup_<today>)"
    )
    flag(sub, "--rerun", "run again on a migrated database to carry over legacy rows written since")

    command(status, "where the transition stands: objects, run log, pending rows, backups")

    sub = command(verify, "runbook Step 4: the verification report, text or Markdown")
    sub.add_argument(
        "--format",
        choices=verify.FORMATS,
        default="text",
        help="text (default) or markdown (for a change ticket)",
    )
    sub.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE")

    sub = command(
        cutover, "carry over the last legacy writes under a lock, then make the tables read-only"
    )
    lock_options(sub, cutover.DEFAULT_LOCK_TIMEOUT_SECONDS, "give up, changing nothing,")

    sub = command(monitor, "runbook Step 7: the checks to run for 24-48 hours after the switch")
    sub.add_argument("--format", choices=monitor.FORMATS, default="text", help="text or json")
    sub.add_argument("--watch", type=float, metavar="SECONDS", help="repeat; print what changed")
    sub.add_argument(
        "--as-of",
        type=datetime.datetime.fromisoformat,
        metavar="TIMESTAMP",
        help="judge time windows as of this moment (ISO 8601), e.g. to review a past night",
    )

    sub = command(rollback, "drop what the migration created and verify the legacy tables")
    flag(sub, "--force", "drop rows the application wrote to the new tables")
    sub.add_argument(
        "--export", metavar="DIR", help="first save the application's rows to DIR/<table>.csv"
    )
    sub.add_argument(
        "--restore-from-backup",
        metavar="NAME",
        help="replace legacy tables whose checksum differs from backup NAME (same transaction)",
    )
    lock_options(sub, rollback.DEFAULT_LOCK_TIMEOUT_SECONDS, "give up")

    sub = command(cleanup, "list backups and legacy tables by age; retire them with --execute")
    flag(sub, "--execute", "drop old backups, retire the legacy tables (default: a dry run)")
    flag(
        sub,
        "--legacy-tables",
        "also replace the legacy tables by read-only views of the new tables (their rows are "
        "renamed aside, not dropped), once the reconciliation tests pass",
    )
    sub.add_argument(
        "--older-than",
        dest="retention_days",
        type=int,
        metavar="DAYS",
        default=DEFAULT_RETENTION_DAYS,
        help="retention in days (default %(default)s)",
    )
    flag(sub, "--force", "also drop what is younger")
    return parser


def guarded(call: Callable[[], int]) -> int:
    """Run a command; a failure the user can act on becomes `error: <reason>` and an exit code."""
    try:
        return call()
    except MigrationError as error:
        reason, exit_code = str(error), error.exit_code
    except psycopg2.errors.InsufficientPrivilege as error:
        reason, exit_code = error.pgerror or str(error), EXIT_USAGE
    except psycopg2.OperationalError as error:
        reason, exit_code = f"lost the database connection: {error}", EXIT_USAGE
    except psycopg2.Error as error:
        reason, exit_code = f"database error: {error.pgerror or error}", EXIT_CHECK_FAILED
    except KeyboardInterrupt:
        reason, exit_code = "interrupted", EXIT_CHECK_FAILED
    print(f"error: {one_line(reason)}", file=sys.stderr)
    return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code (callable from tests)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    ctx = Context(args.command, Reporter(args.quiet), vars_yaml=args.vars, assume_yes=args.yes)
    common = ("command", "run", "vars", "quiet", "yes")
    options = {name: value for name, value in vars(args).items() if name not in common}
    return guarded(lambda: args.run(ctx, **options))


if __name__ == "__main__":
    sys.exit(main())
