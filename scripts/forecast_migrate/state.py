"""Where the transition stands (migrated, not migrated, or interrupted part-way, from the
project's objects and the run log), and whether the role may do what a command needs."""

from dataclasses import dataclass
from typing import NoReturn

from psycopg2 import sql

from . import EXIT_USAGE, MigrationError
from .database import fetch_one, fetch_value
from .inventory import Inventory, Objects, find
from .run_log import RUN_LOG_SCHEMA, lock_holder_pids, recent

# the runbook's retention: days the backups, and the legacy tables after the migration, are
# kept before cleanup may drop them (status says when; cleanup --older-than overrides it)
DEFAULT_RETENTION_DAYS = 30
DATABASE_CREATE_PRIVILEGE = sql.SQL("select has_database_privilege(current_database(), 'CREATE')")
# (schema) -> usage, create
SCHEMA_PRIVILEGES = sql.SQL(
    "select has_schema_privilege(oid, 'USAGE'), has_schema_privilege(oid, 'CREATE') "
    "from pg_catalog.pg_namespace where nspname = %s"
)
# (schema, table) -> has select
TABLE_SELECT_PRIVILEGE = sql.SQL(
    "select has_table_privilege(rel.oid, 'SELECT') from pg_catalog.pg_class as rel "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = rel.relnamespace "
    "where nsp.nspname = %s and rel.relname = %s"
)


@dataclass(frozen=True)
class Transition:
    objects: Objects
    runs: list  # the latest runs, newest first (run_log.recent)
    lock_holders: list[int]

    def outcome(self, run) -> str:
        """A run's outcome; `running` without the lock means its process died."""
        died = run.outcome == "running" and run.backend_pid not in self.lock_holders
        return "interrupted" if died else run.outcome

    def latest(self, *commands: str):
        return next((run for run in self.runs if run.command in commands), None)

    @property
    def cleaned_up(self) -> bool:
        return bool(self.objects.retired_legacy)

    @property
    def migrated(self) -> bool:
        last = self.latest("migrate")
        return self.objects.complete and (last is None or self.outcome(last) == "ok")

    @property
    def last_successful_migrate(self):
        """The latest migrate that finished ok and was not rolled back since."""
        for run in self.runs:
            if run.outcome == "ok" and run.command in ("migrate", "rollback"):
                return run if run.command == "migrate" else None
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
    return Transition(
        objects=find(connection, inventory),
        runs=recent(connection, limit=200),
        lock_holders=lock_holder_pids(connection),
    )


def require_legacy_schema(connection, inventory: Inventory) -> None:
    """The legacy schema exists and the role may read its tables (else exit code 2, like every
    privilege check here: they run before anything is written)."""
    schema = inventory.legacy_schema
    if (privileges := fetch_one(connection, SCHEMA_PRIVILEGES, (schema,))) is None:
        _refuse(
            f'legacy schema "{schema}" does not exist in {_database(connection)} '
            "(dbt var legacy_schema)"
        )
    if not privileges[0]:  # USAGE
        _refuse(f'{_role(connection)} may not use legacy schema "{schema}"')
    for table in inventory.legacy_tables:
        if fetch_value(connection, TABLE_SELECT_PRIVILEGE, (schema, table)) is False:
            _refuse(f'{_role(connection)} may not read "{schema}".{table}')


def require_create_rights(connection, inventory: Inventory, *, new_schemas: bool = True) -> None:
    """The role may create the schemas a command adds (backup, run log, migration) and
    create objects in the project's existing schemas."""
    may_create_schemas = fetch_value(connection, DATABASE_CREATE_PRIVILEGE)
    if new_schemas and not may_create_schemas:
        _refuse(
            f"{_role(connection)} may not create schemas in {_database(connection)} "
            "(CREATE on the database is needed for the backup and run log schemas)"
        )
    for schema in (*inventory.schemas_written, RUN_LOG_SCHEMA):
        privileges = fetch_one(connection, SCHEMA_PRIVILEGES, (schema,))
        if privileges is None and not may_create_schemas:
            _refuse(
                f'{_role(connection)} may not create schema "{schema}" in {_database(connection)}'
            )
        if privileges is not None and not all(privileges):
            _refuse(f'{_role(connection)} may not create objects in schema "{schema}"')


def require_ownership(connection, objects: Objects) -> None:
    if foreign := [obj for obj in (*objects.relations, *objects.types) if not obj.owned]:
        names = ", ".join(f'"{obj.schema}"."{obj.name}"' for obj in foreign[:5])
        _refuse(
            f"{_role(connection)} does not own {names}"
            f"{' and others' if len(foreign) > 5 else ''}: run as the role that migrated"
        )


def _refuse(message: str) -> NoReturn:
    raise MigrationError(message, EXIT_USAGE)


def _role(connection) -> str:
    return f'role "{fetch_value(connection, sql.SQL("select current_user"))}"'


def _database(connection) -> str:
    return f'database "{fetch_value(connection, sql.SQL("select current_database()"))}"'
