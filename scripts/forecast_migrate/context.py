"""Context, what every command receives: one command's run, its dbt session and inventory."""

import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from . import EXIT_USAGE, MigrationError, inventory, run_log, state
from .database import connect
from .dbt import DbtSession
from .inventory import Inventory
from .progress import Reporter


@dataclass
class Context:
    command: str
    reporter: Reporter = field(default_factory=Reporter)
    vars_yaml: str | None = None
    assume_yes: bool = False

    @cached_property
    def dbt(self) -> DbtSession:
        # verify prints the singular tests' descriptions, which partial parsing can drop
        return DbtSession(self.command, self.vars_yaml, full_parse=self.command == "verify")

    @cached_property
    def inventory(self) -> Inventory:
        return inventory.read(self.dbt)

    def connected(self) -> closing:
        return closing(connect(self.command))

    @contextmanager
    def locked_for_writing(self) -> Iterator:
        """A connection holding the migration lock, once schema and rights are checked (exit 2)."""
        with self.connected() as connection, run_log.exclusive(connection, self.command):
            state.require_legacy_schema(connection, self.inventory)
            state.require_create_rights(connection, self.inventory)
            yield connection

    def confirm(self, question: str) -> None:
        if self.assume_yes:
            return
        if not sys.stdin or not sys.stdin.isatty():
            raise MigrationError(
                f"{self.command} changes the database: confirm with --yes (no terminal to ask on)",
                EXIT_USAGE,
            )
        if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
            raise MigrationError(f"{self.command} cancelled: nothing was changed")
