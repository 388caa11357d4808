"""Where the transition stands: which of the project's objects exist, whether legacy tables
were renamed by an earlier hand-run migration, what the ledger says, and whether the role
may do what a command needs (checked before anything is written)."""

from __future__ import annotations

from dataclasses import dataclass

from . import EXIT_USAGE, MigrationError, queries
from .catalog import DBT_LEFTOVER_SUFFIXES, Catalog
from .database import fetch_all, fetch_one, fetch_value
from .ledger import LEDGER_SCHEMA, Run, effective_outcome, lock_holder_pids, recent

TABLE_KINDS = ("r", "p", "f")
# where an earlier hand-run migration (the SQL this project replaces) left the legacy tables
RENAMED_SUFFIX = "_legacy"


@dataclass(frozen=True)
class PresentObject:
    """An object of the project that exists in the database."""

    schema: str
    name: str
    kind: str  # table, view or type
    owned: bool  # the current role may drop it


@dataclass(frozen=True)
class ObjectState:
    """The project's objects found in the database, and the legacy tables."""

    relations: tuple[PresentObject, ...]
    types: tuple[PresentObject, ...]
    expected_relations: int
    expected_types: int
    renamed_legacy: tuple[str, ...]  # legacy tables found as <name>_legacy
    legacy_tables: tuple[str, ...]  # legacy tables found under their own name
    migration_schema_exists: bool

    @property
    def nothing_present(self) -> bool:
        return not (self.relations or self.types or self.renamed_legacy)

    @property
    def complete(self) -> bool:
        project_relations = [obj for obj in self.relations if not _is_leftover(obj.name)]
        return (
            len(project_relations) == self.expected_relations
            and len(self.types) == self.expected_types
        )

    def summary(self) -> str:
        project_relations = [obj for obj in self.relations if not _is_leftover(obj.name)]
        return (
            f"{len(project_relations)}/{self.expected_relations} relations and "
            f"{len(self.types)}/{self.expected_types} enum types of the project present"
        )


def _is_leftover(name: str) -> bool:
    return name.endswith(DBT_LEFTOVER_SUFFIXES)


def inspect_objects(connection, catalog: Catalog) -> ObjectState:
    """Find the project's relations (and dbt's leftovers of interrupted runs), its enum
    types, and the legacy tables, in the catalog of the database."""
    schemas = sorted({*catalog.schemas_written, catalog.legacy_schema})
    found = {
        (schema, name): (kind, owned)
        for schema, name, kind, owned in fetch_all(
            connection, queries.RELATIONS_IN_SCHEMAS, (schemas,)
        )
    }
    relations = []
    for relation in catalog.relations:
        for identifier in (
            relation.identifier,
            *(relation.identifier + suffix for suffix in DBT_LEFTOVER_SUFFIXES),
        ):
            hit = found.get((relation.schema, identifier))
            if hit:
                kind = "table" if hit[0] in TABLE_KINDS else "view"
                relations.append(PresentObject(relation.schema, identifier, kind, hit[1]))
    enum_types = dict(fetch_all(connection, queries.ENUM_TYPES_IN_SCHEMA, (catalog.target_schema,)))
    types = [
        PresentObject(catalog.target_schema, name, "type", enum_types[name])
        for name in catalog.enum_types
        if name in enum_types
    ]
    legacy = catalog.legacy_schema
    return ObjectState(
        relations=tuple(relations),
        types=tuple(types),
        expected_relations=len(catalog.relations),
        expected_types=len(catalog.enum_types),
        renamed_legacy=tuple(
            table for table in catalog.legacy_tables if (legacy, table + RENAMED_SUFFIX) in found
        ),
        legacy_tables=tuple(table for table in catalog.legacy_tables if (legacy, table) in found),
        migration_schema_exists=bool(
            fetch_value(connection, queries.SCHEMA_EXISTS, (catalog.migration_schema,))
        ),
    )


@dataclass(frozen=True)
class Transition:
    """The objects plus the ledger: migrated, not migrated, or interrupted part-way."""

    objects: ObjectState
    runs: tuple[Run, ...]
    lock_holders: tuple[int, ...]

    def outcome(self, run: Run) -> str:
        return effective_outcome(run, list(self.lock_holders))

    def latest(self, *commands: str) -> Run | None:
        return next((run for run in self.runs if run.command in commands), None)

    @property
    def migrated(self) -> bool:
        """All objects exist and the latest migrate (if the ledger has one) finished ok."""
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


def inspect(connection, catalog: Catalog) -> Transition:
    return Transition(
        objects=inspect_objects(connection, catalog),
        runs=tuple(recent(connection, limit=200)),
        lock_holders=tuple(lock_holder_pids(connection)),
    )


# --- privileges: checked before anything is written ---------------------------------------


def require_legacy_schema(connection, catalog: Catalog) -> None:
    """The legacy schema exists and the role may read its tables (exit code 2 if not)."""
    schema = catalog.legacy_schema
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
    for table in catalog.legacy_tables:
        allowed = fetch_value(connection, queries.TABLE_SELECT_PRIVILEGE, (schema, table))
        if allowed is False:
            raise MigrationError(
                f'role "{_user(connection)}" may not read "{schema}".{table}', EXIT_USAGE
            )


def require_create_rights(connection, catalog: Catalog, *, new_schemas: bool = True) -> None:
    """The role may create the schemas a command adds (backup, ledger, migration) and
    create objects in the project's existing schemas (exit code 2 if not)."""
    user = _user(connection)
    if new_schemas and not fetch_value(connection, queries.DATABASE_CREATE_PRIVILEGE):
        raise MigrationError(
            f'role "{user}" may not create schemas in {_database(connection)} '
            "(CREATE on the database is needed for the backup and ledger schemas)",
            EXIT_USAGE,
        )
    for schema in (*catalog.schemas_written, LEDGER_SCHEMA):
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


def require_ownership(connection, objects: ObjectState) -> None:
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
