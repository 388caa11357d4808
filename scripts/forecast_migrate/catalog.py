"""What the dbt project creates, read from the project itself (macro
forecast_migrate_catalog), never re-typed here: schemas, every model and seed relation, the
enum types, and the project's SQL for telling legacy rows from application rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .dbt import DbtSession

CATALOG_MACRO = "forecast_migrate_catalog"
# dbt's leftovers of an interrupted materialization, next to the relation they belong to
DBT_LEFTOVER_SUFFIXES = ("__dbt_tmp", "__dbt_backup")


@dataclass(frozen=True)
class Relation:
    """A model or seed of the project: where it lives and how dbt builds it."""

    name: str
    resource_type: str
    schema: str
    identifier: str
    materialized: str

    @property
    def is_view(self) -> bool:
        return self.materialized in ("view", "replaced_view")

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.identifier)


@dataclass(frozen=True)
class Catalog:
    """The dbt project's description of what it creates, for one set of vars and profile."""

    target_schema: str
    migration_schema: str
    legacy_schema: str
    expected_curve_count: int
    legacy_tables: tuple[str, ...]
    relations: tuple[Relation, ...]
    enum_types: tuple[str, ...]
    application_rows: dict[str, str]
    pending_legacy_rows: dict[str, str]
    readiness: dict[str, str]
    granted_schema_usage: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        return cls(
            target_schema=data["target_schema"],
            migration_schema=data["migration_schema"],
            legacy_schema=data["legacy_schema"],
            expected_curve_count=int(data["expected_curve_count"]),
            legacy_tables=tuple(data["legacy_tables"]),
            relations=tuple(Relation(**relation) for relation in data["relations"]),
            enum_types=tuple(data["enum_types"]),
            application_rows=dict(data["application_rows"]),
            pending_legacy_rows=dict(data["pending_legacy_rows"]),
            readiness=dict(data["readiness"]),
            granted_schema_usage=data["granted_schema_usage"],
        )

    @property
    def target_tables(self) -> tuple[Relation, ...]:
        """The tables the application writes to (the incremental models)."""
        return tuple(rel for rel in self.relations if rel.materialized == "incremental")

    def relation(self, name: str) -> Relation:
        for relation in self.relations:
            if relation.name == name:
                return relation
        raise KeyError(name)

    @property
    def schemas_written(self) -> tuple[str, ...]:
        """Schemas the project writes relations into."""
        return tuple(sorted({relation.schema for relation in self.relations}))


def load(session: DbtSession) -> Catalog:
    """Ask the dbt project (with the session's vars and profile) what it creates."""
    return Catalog.from_json(session.operation_json(CATALOG_MACRO))
