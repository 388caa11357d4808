"""The one inventory of the project's objects: what the dbt project creates, read from the
manifest the dbt session holds and the analysis `project_context` (never re-typed here),
and which of those objects the database holds now."""

from dataclasses import dataclass
from typing import NamedTuple

from psycopg2 import sql

from .database import fetch_all, fetch_value
from .dbt import DbtSession

# dbt's leftovers of an interrupted materialization, next to the relation they belong to
DBT_LEFTOVER_SUFFIXES = ("__dbt_tmp", "__dbt_backup")
# where an earlier hand-run migration (the SQL this project replaces) left the legacy tables
RENAMED_SUFFIX = "_legacy"
TABLE_KINDS = ("r", "p", "f")
# (schemas[]) -> schema, name, kind (r table, v view, p partitioned), owned by current role
RELATIONS_IN_SCHEMAS = sql.SQL(
    "select nsp.nspname, rel.relname, rel.relkind, pg_has_role(rel.relowner, 'USAGE') "
    "from pg_catalog.pg_class as rel "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = rel.relnamespace "
    "where nsp.nspname = any(%s) and rel.relkind in ('r', 'v', 'm', 'p', 'f')"
)
# (schema) -> enum type name, owned by current role
ENUM_TYPES_IN_SCHEMA = sql.SQL(
    "select typ.typname, pg_has_role(typ.typowner, 'USAGE') from pg_catalog.pg_type as typ "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = typ.typnamespace "
    "where nsp.nspname = %s and typ.typtype = 'e'"
)
# (schema, trigger name) -> the tables of the schema that carry the trigger
TABLES_WITH_TRIGGER = sql.SQL(
    "select rel.relname from pg_catalog.pg_trigger as trg "
    "join pg_catalog.pg_class as rel on rel.oid = trg.tgrelid "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = rel.relnamespace "
    "where nsp.nspname = %s and trg.tgname = %s"
)
# how verify groups the models, by their folder under models/
FOLDER_GROUPS = {"forecast": "new table", "compat": "compat view", "audit": "audit table",
                 "staging": "staging view", "intermediate": "intermediate model"}  # fmt: skip


@dataclass(frozen=True)
class Relation:
    name: str
    group: str  # new table, compat view, ... (FOLDER_GROUPS), or seed
    schema: str
    identifier: str
    materialized: str

    @property
    def is_view(self) -> bool:
        return self.materialized in ("view", "replaced_view")


@dataclass(frozen=True)
class Inventory:
    """What the project creates, for one set of vars and profile."""

    target_schema: str
    migration_schema: str
    legacy_schema: str
    legacy_tables: tuple[str, ...]
    relations: tuple[Relation, ...]
    enum_types: tuple[str, ...]
    cutover_guard: str  # the triggers that make the legacy tables read-only after the cut-over

    @property
    def target_tables(self) -> tuple[Relation, ...]:
        """The tables the application writes to (the incremental models)."""
        return tuple(rel for rel in self.relations if rel.materialized == "incremental")

    def relation(self, name: str) -> Relation:
        return next(relation for relation in self.relations if relation.name == name)

    @property
    def schemas_written(self) -> tuple[str, ...]:
        return tuple(sorted({relation.schema for relation in self.relations}))


def read(session: DbtSession) -> Inventory:
    manifest = session.manifest
    (context,) = session.show_one("project_context")
    relations = [
        Relation(
            name=node.name,
            group=FOLDER_GROUPS.get(node.fqn[1], node.fqn[1]) if len(node.fqn) > 2 else "seed",
            schema=node.schema,
            identifier=node.alias,
            materialized=node.config.materialized,
        )
        for node in manifest.nodes.values()
        if node.resource_type in ("model", "seed") and node.config.materialized != "ephemeral"
    ]
    legacy = [source for source in manifest.sources.values() if source.source_name == "legacy"]
    return Inventory(
        target_schema=context["target_schema"],
        migration_schema=context["migration_schema"],
        legacy_schema=context["legacy_schema"],
        legacy_tables=tuple(sorted(source.identifier for source in legacy)),
        relations=tuple(sorted(relations, key=lambda relation: relation.name)),
        enum_types=tuple(context["enum_types"].split(",")),
        cutover_guard=context["cutover_guard"],
    )


class PresentObject(NamedTuple):
    schema: str
    name: str
    kind: str  # table, view or type
    owned: bool  # the current role may drop it


@dataclass(frozen=True)
class Objects:
    relations: tuple[PresentObject, ...]
    types: tuple[PresentObject, ...]
    expected_relations: int
    expected_types: int
    renamed_legacy: tuple[str, ...]  # legacy tables found as <name>_legacy
    legacy_tables: tuple[str, ...]  # legacy tables found under their own name
    retired_legacy: tuple[str, ...] = ()  # legacy names that are views since the clean-up
    read_only_legacy: tuple[str, ...] = ()  # legacy tables that refuse writes since the cut-over

    @property
    def nothing_present(self) -> bool:
        return not (self.relations or self.types or self.renamed_legacy)

    @property
    def project_relations(self) -> list[PresentObject]:
        return [obj for obj in self.relations if not obj.name.endswith(DBT_LEFTOVER_SUFFIXES)]

    @property
    def complete(self) -> bool:
        present = (len(self.project_relations), len(self.types))
        return present == (self.expected_relations, self.expected_types)

    def summary(self) -> str:
        return (
            f"{len(self.project_relations)}/{self.expected_relations} relations and "
            f"{len(self.types)}/{self.expected_types} enum types of the project present"
        )


def find(connection, inventory: Inventory) -> Objects:
    schemas = sorted({*inventory.schemas_written, inventory.legacy_schema})
    rows = fetch_all(connection, RELATIONS_IN_SCHEMAS, (schemas,))
    found = {(schema, name): (kind, owned) for schema, name, kind, owned in rows}
    relations = [
        PresentObject(*key, "table" if found[key][0] in TABLE_KINDS else "view", found[key][1])
        for relation in inventory.relations
        for suffix in ("", *DBT_LEFTOVER_SUFFIXES)
        if (key := (relation.schema, relation.identifier + suffix)) in found
    ]
    target = inventory.target_schema
    enum_types = dict(fetch_all(connection, ENUM_TYPES_IN_SCHEMA, (target,)))
    legacy = inventory.legacy_schema
    guard = (legacy, inventory.cutover_guard)
    legacy_kinds = {name: found.get((legacy, name), ("",))[0] for name in inventory.legacy_tables}
    return Objects(
        relations=tuple(relations),
        types=tuple(
            PresentObject(target, name, "type", enum_types[name])
            for name in inventory.enum_types
            if name in enum_types
        ),
        expected_relations=len(inventory.relations),
        expected_types=len(inventory.enum_types),
        renamed_legacy=tuple(
            table for table in inventory.legacy_tables if (legacy, table + RENAMED_SUFFIX) in found
        ),
        legacy_tables=tuple(table for table, kind in legacy_kinds.items() if kind in TABLE_KINDS),
        retired_legacy=tuple(table for table, kind in legacy_kinds.items() if kind == "v"),
        read_only_legacy=tuple(
            sorted(name for (name,) in fetch_all(connection, TABLES_WITH_TRIGGER, guard))
        ),
    )


def application_rows(session: DbtSession) -> dict[str, str]:
    """Per target table, the SELECT of the application's rows (analyses/application_rows)."""
    compiled = session.compiled("path:analyses/application_rows")
    return {name.removeprefix("application_rows_"): select for name, select in compiled.items()}


def count_application_rows(connection, selects: dict[str, str], tables: tuple) -> dict[str, int]:
    count = sql.SQL("select count(*) from ({}) as selected")
    return {
        table: int(fetch_value(connection, count.format(sql.SQL(selects[table]))))
        for table in tables
        if table in selects
    }
