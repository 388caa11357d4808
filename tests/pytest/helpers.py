"""Independent reads of the database state, for assertions. Not the project's SQL: each
helper asks the catalog or the tables directly, so it can disagree with the models."""

from __future__ import annotations

TARGET_TABLES = [
    "CurveDefinition",
    "CurveInstance",
    "PriceForecast",
    "CurveInputLineage",
    "VersionHistory",
    "CurveSchedule",
    "ScheduleRun",
    "QualityMetric",
    "DefaultCurveInput",
    "LegacyCurveMapping",
]
ENUM_TYPES = [
    "InstanceStatus",
    "RunType",
    "InputType",
    "UsageType",
    "ChangeType",
    "ScheduleType",
    "UpdateFrequency",
    "RunStatus",
]
LEGACY_TABLES = ["curve_definitions", "price_forecasts", "curve_schedule"]


def table_rows(db, table: str, schema: str = "public") -> list[tuple]:
    """Every row of a table as (xmin, ctid, row text), in id order: equal lists mean no row
    was rewritten, moved or changed."""
    order = "id" if schema == "public" else "1"
    return db.query(
        f'select row_.xmin::text, row_.ctid::text, row_::text from "{schema}"."{table}" as row_ order by {order}'
    )


def target_snapshot(db) -> dict[str, list[tuple]]:
    return {table: table_rows(db, table) for table in TARGET_TABLES}


def legacy_checksums(db, schema: str = "Forecasts") -> dict[str, tuple]:
    """Row count and an order-independent content checksum of each legacy table."""
    result = {}
    for table in LEGACY_TABLES:
        if not db.scalar("select to_regclass(%s) is not null", (f'"{schema}"."{table}"',)):
            result[table] = None
            continue
        result[table] = db.query(
            f"select count(*), md5(coalesce(string_agg(row_::text, chr(10) order by row_::text), '')) "
            f'from "{schema}"."{table}" as row_'
        )[0]
    return result


def catalog_snapshot(db) -> dict[str, list[tuple]]:
    """Constraints, column definitions, indexes and enum labels of the target schema."""
    return {
        "constraints": db.query(
            "select conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2"
        ),
        "columns": db.query(
            "select table_name, column_name, data_type, is_nullable, column_default, "
            "is_identity, identity_generation "
            "from information_schema.columns where table_schema = 'public' order by 1, 2"
        ),
        "indexes": db.query(
            "select tablename, indexname, indexdef from pg_indexes "
            "where schemaname = 'public' order by 1, 2"
        ),
        "enums": db.query(
            "select enum_type.typname, label.enumlabel from pg_enum as label join pg_type as enum_type on enum_type.oid = label.enumtypid "
            "where enum_type.typnamespace = 'public'::regnamespace order by 1, label.enumsortorder"
        ),
    }


def target_objects(db) -> list[tuple]:
    """Every relation and type in the target schema, and the migration schema if present."""
    return db.query(
        "select 'relation', nsp.nspname, rel.relname from pg_class as rel "
        "join pg_namespace as nsp on nsp.oid = rel.relnamespace "
        "where nsp.nspname in ('public', 'forecast_migration') "
        "union all select 'type', nsp.nspname, typ.typname from pg_type as typ "
        "join pg_namespace as nsp on nsp.oid = typ.typnamespace "
        "where nsp.nspname = 'public' and typ.typtype = 'e' order by 1, 2, 3"
    )


def node_results(result) -> dict[str, tuple[str, str]]:
    """dbt node name -> (status, message) of one invocation."""
    return {
        node_result.node.name: (str(node_result.status), node_result.message or "")
        for node_result in result.result
    }
