"""Where the transition stands (the project's objects and the run log: migrated, not
migrated, or interrupted part-way), and whether the role may do what a command needs
(checked before anything is written)."""

from __future__ import annotations

from dataclasses import dataclass

from . import EXIT_USAGE, MigrationError, queries
from .database import fetch_one, fetch_value
from .inventory import Inventory, Objects, find
from .run_log import RUN_LOG_SCHEMA, Run, effective_outcome, lock_holder_pids, recent


@dataclass(frozen=True)
class Transition:
    """The objects plus the run log: migrated, not migrated, or interrupted part-way."""

    objects: Objects
    runs: tuple[Run, ...]
    lock_holders: tuple[int, ...]

    def outcome(self, run: Run) -> str:
        return effective_outcome(run, list(self.lock_holders))

    def latest(self, *commands: str) -> Run | None:
        return next((run for run in self.runs if run.command in commands), None)

    @property
    def cleaned_up(self) -> bool:
        """The clean-up replaced the legacy tables by views over the new tables."""
        return bool(self.objects.retired_legacy)

    @property
    def migrated(self) -> bool:
        """All objects exist and the latest migrate (if the run log has one) finished ok."""
        last = self.latest("migrate")
        return self.objects.complete and (last is None or self.outcome(last) == "ok")

    @property
    def last_successful_migrate(self) -> Run | None:
        """The latest migrate that finished ok and was not rolled back since."""
        for run in self.runs:
            if run.outcome == "ok" and run.command == "rollback":
                return None
            if run.outcome == "ok" and run.command == "migrate":
                return run
        return None

    def describe(self) -> str:
        if self.cleaned_up:
            return (
                "cleaned up: the legacy tables are read-only views over the new tables "
                "(the migration is final; dbt build and rollback refuse)"
            )
        if self.objects.nothing_present:
            return "not migrated"
        if self.migrated:
            return "migrated"
        last = self.latest("migrate", "rollback")
        if last is not None and self.outcome(last) in ("interrupted", "failed", "running"):
            return (
                f"part-way: {last.command} run #{last.id} {self.outcome(last)}; "
                f"run `forecast-migrate {last.command}` again or `forecast-migrate rollback`"
            )
        return "part-way: some objects of the project exist (a hand-run or failed dbt build?)"


def read_transition(connection, inventory: Inventory) -> Transition:
    """The project's objects in the database and the latest runs of the run log."""
    return Transition(
        objects=find(connection, inventory),
        runs=tuple(recent(connection, limit=200)),
        lock_holders=tuple(lock_holder_pids(connection)),
    )


# --- privileges: checked before anything is written ---------------------------------------


def require_legacy_schema(connection, inventory: Inventory) -> None:
    """The legacy schema exists and the role may read its tables (exit code 2 if not)."""
    schema = inventory.legacy_schema
    privileges = fetch_one(connection, queries.SCHEMA_PRIVILEGES, (schema,))
    if privileges is None:
        raise MigrationError(
            f'legacy schema "{schema}" does not exist in {_database(connection)} '
            "(dbt var legacy_schema)",
            EXIT_USAGE,
        )
    if not privileges[0]:
        raise MigrationError(
            f'role "{_user(connection)}" may not use legacy schema "{schema}"', EXIT_USAGE
        )
    for table in inventory.legacy_tables:
        allowed = fetch_value(connection, queries.TABLE_SELECT_PRIVILEGE, (schema, table))
        if allowed is False:
            raise MigrationError(
                f'role "{_user(connection)}" may not read "{schema}".{table}', EXIT_USAGE
            )


def require_create_rights(connection, inventory: Inventory, *, new_schemas: bool = True) -> None:
    """The role may create the schemas a command adds (backup, run log, migration) and
    create objects in the project's existing schemas (exit code 2 if not)."""
    user = _user(connection)
    if new_schemas and not fetch_value(connection, queries.DATABASE_CREATE_PRIVILEGE):
        raise MigrationError(
            f'role "{user}" may not create schemas in {_database(connection)} '
            "(CREATE on the database is needed for the backup and run log schemas)",
            EXIT_USAGE,
        )
    for schema in (*inventory.schemas_written, RUN_LOG_SCHEMA):
        privileges = fetch_one(connection, queries.SCHEMA_PRIVILEGES, (schema,))
        if privileges is not None and not (privileges[0] and privileges[1]):
            raise MigrationError(
                f'role "{user}" may not create objects in schema "{schema}"', EXIT_USAGE
            )
        if privileges is None and not fetch_value(connection, queries.DATABASE_CREATE_PRIVILEGE):
            raise MigrationError(
                f'role "{user}" may not create schema "{schema}" in {_database(connection)}',
                EXIT_USAGE,
            )


def require_ownership(connection, objects: Objects) -> None:
    """The role owns (may drop) every object of the project that exists (exit code 2)."""
    foreign = [obj for obj in (*objects.relations, *objects.types) if not obj.owned]
    if foreign:
        names = ", ".join(f'"{obj.schema}"."{obj.name}"' for obj in foreign[:5])
        raise MigrationError(
            f'role "{_user(connection)}" does not own {names}'
            f"{' and others' if len(foreign) > 5 else ''}: run as the role that migrated",
            EXIT_USAGE,
        )


def _user(connection) -> str:
    return fetch_value(connection, queries.CURRENT_USER)


def _database(connection) -> str:
    return f'database "{fetch_value(connection, queries.CURRENT_DATABASE)}"'
