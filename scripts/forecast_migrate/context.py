"""What every command receives: the options common to all of them, the output, dbt and the
project's catalog (both created on first use)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from . import EXIT_CHECK_FAILED, EXIT_USAGE, MigrationError
from .catalog import Catalog, load
from .database import connect
from .dbt import DbtSession
from .progress import Reporter


@dataclass
class Context:
    """One command's run: its name, options, output, and lazily its dbt session and catalog."""

    command: str
    reporter: Reporter = field(default_factory=Reporter)
    vars_yaml: str | None = None
    assume_yes: bool = False
    _session: DbtSession | None = None
    _catalog: Catalog | None = None

    def dbt(self) -> DbtSession:
        if self._session is None:
            self._session = DbtSession(self.command, vars_yaml=self.vars_yaml)
        return self._session

    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load(self.dbt())
        return self._catalog

    def connect(self, purpose: str | None = None, *, autocommit: bool = True):
        return connect(purpose or self.command, autocommit=autocommit)

    def confirm(self, question: str) -> None:
        """Ask before a change, unless --yes. Without a terminal, --yes is required."""
        if self.assume_yes:
            return
        if not sys.stdin or not sys.stdin.isatty():
            raise MigrationError(
                f"{self.command} changes the database: confirm with --yes (no terminal to ask on)",
                EXIT_USAGE,
            )
        answer = input(f"{question} [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            raise MigrationError(
                f"{self.command} cancelled: nothing was changed", EXIT_CHECK_FAILED
            )
