"""Compare a Prisma schema, as Prisma itself reads it, with a migrated database, field by field.

Test tooling: users compare with Prisma's own `prisma migrate diff --exit-code`, which needs
Prisma's schema engine (downloaded from binaries.prisma.sh); this runs where it cannot be had.

The Prisma Client hides some mismatches: a `double precision` column declared `Int` comes
back truncated, a nullable column declared required comes back `null`. So this does not run
queries: it asks Prisma for the schema's DMMF (the description `prisma generate` hands its
generators, written out by `tests/prisma/describe-generator.cjs`) and compares every
model, field, enum and relation with pg_catalog of the database the PG* variables name:

- each model's table and each scalar field's column exist, and every column has a field;
- type: Prisma's type and native type (or Prisma's default native type) against the
  column's type, precision, length and array-ness; an enum field against the enum type;
- nullability: a required field against NOT NULL (a list field reads NULL as `[]`:
  Prisma has no optional lists, so a nullable array column is a note, not a difference);
- default: `autoincrement()` against an identity or sequence, `now()` against
  CURRENT_TIMESTAMP, a literal against the column's default literal;
- `@id`, `@unique`, `@@id`, `@@unique` against the primary key and unique indexes, both ways;
- each relation against a foreign key with the same columns, referenced table and columns,
  ON DELETE and ON UPDATE actions (Prisma's implicit defaults applied), both ways;
- each enum against the database enum type's labels, in order.

    python tests/pytest/prisma_compare.py [--schema-file prisma/schema.new.prisma]

Exit 0 when nothing differs, 1 when something does (each difference one line), 2 when the
database or the Node toolchain (`npm ci`) is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast_migrate import EXIT_USAGE, PROJECT_DIR, MigrationError, database

SCHEMA_FILE = PROJECT_DIR / "prisma" / "schema.new.prisma"
PRISMA_BIN = PROJECT_DIR / "node_modules" / ".bin" / "prisma"
DESCRIBE_GENERATOR = PROJECT_DIR / "tests" / "prisma" / "describe-generator.cjs"

# Prisma's native type when a field declares none (PostgreSQL connector)
DEFAULT_NATIVE_TYPES = {
    "String": ("Text", []),
    "Int": ("Integer", []),
    "BigInt": ("BigInt", []),
    "Float": ("DoublePrecision", []),
    "Decimal": ("Decimal", ["65", "30"]),
    "Boolean": ("Boolean", []),
    "DateTime": ("Timestamp", ["3"]),
    "Json": ("JsonB", []),
    "Bytes": ("ByteA", []),
}
# Prisma native type -> PostgreSQL type name (pg_type.typname)
NATIVE_TYPE_NAMES = {
    "Text": "text",
    "VarChar": "varchar",
    "Char": "bpchar",
    "Uuid": "uuid",
    "Integer": "int4",
    "SmallInt": "int2",
    "BigInt": "int8",
    "DoublePrecision": "float8",
    "Real": "float4",
    "Decimal": "numeric",
    "Boolean": "bool",
    "Timestamp": "timestamp",
    "Timestamptz": "timestamptz",
    "Date": "date",
    "Time": "time",
    "Timetz": "timetz",
    "JsonB": "jsonb",
    "Json": "json",
    "ByteA": "bytea",
}
NUMERIC_TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric"}
# pg_constraint.confdeltype / confupdtype -> Prisma referential action
FOREIGN_KEY_ACTIONS = {
    "a": "NoAction",
    "r": "Restrict",
    "c": "Cascade",
    "n": "SetNull",
    "d": "SetDefault",
}

COLUMNS_SQL = """
select
    table_class.relname as table_name,
    attribute.attname as column_name,
    attribute.attnotnull as not_null,
    attribute.attidentity <> '' as is_identity,
    pg_get_expr(column_default.adbin, column_default.adrelid) as default_expression,
    column_type.typcategory = 'A' as is_array,
    coalesce(element_type.typname, column_type.typname) as type_name,
    coalesce(element_type.typtype, column_type.typtype) = 'e' as is_enum,
    attribute.atttypmod as type_modifier
from pg_catalog.pg_class as table_class
inner join pg_catalog.pg_namespace as table_schema on table_schema.oid = table_class.relnamespace
inner join pg_catalog.pg_attribute as attribute
    on attribute.attrelid = table_class.oid and attribute.attnum > 0 and not attribute.attisdropped
inner join pg_catalog.pg_type as column_type on column_type.oid = attribute.atttypid
left join pg_catalog.pg_type as element_type
    on element_type.oid = column_type.typelem and column_type.typcategory = 'A'
left join pg_catalog.pg_attrdef as column_default
    on column_default.adrelid = table_class.oid and column_default.adnum = attribute.attnum
where table_schema.nspname = %s and table_class.relkind in ('r', 'p')
order by table_class.relname, attribute.attnum
"""
# unique indexes on plain columns (a partial or expression index is no Prisma @unique)
UNIQUE_SQL = """
select
    table_class.relname as table_name,
    index_info.indisprimary as is_primary,
    array(
        select attribute.attname
        from unnest(index_info.indkey::int2[]) with ordinality as key_column (attnum, position)
        inner join pg_catalog.pg_attribute as attribute
            on attribute.attrelid = index_info.indrelid and attribute.attnum = key_column.attnum
        order by key_column.position
    ) as column_names
from pg_catalog.pg_index as index_info
inner join pg_catalog.pg_class as table_class on table_class.oid = index_info.indrelid
inner join pg_catalog.pg_namespace as table_schema on table_schema.oid = table_class.relnamespace
where table_schema.nspname = %s
    and index_info.indisunique
    and index_info.indpred is null
    and 0 <> all(index_info.indkey::int2[])
"""
FOREIGN_KEYS_SQL = """
select
    table_class.relname as table_name,
    array(
        select attribute.attname
        from unnest(foreign_key.conkey) with ordinality as key_column (attnum, position)
        inner join pg_catalog.pg_attribute as attribute
            on attribute.attrelid = foreign_key.conrelid and attribute.attnum = key_column.attnum
        order by key_column.position
    ) as column_names,
    referenced_class.relname as referenced_table,
    array(
        select attribute.attname
        from unnest(foreign_key.confkey) with ordinality as key_column (attnum, position)
        inner join pg_catalog.pg_attribute as attribute
            on attribute.attrelid = foreign_key.confrelid and attribute.attnum = key_column.attnum
        order by key_column.position
    ) as referenced_columns,
    foreign_key.confdeltype as on_delete,
    foreign_key.confupdtype as on_update
from pg_catalog.pg_constraint as foreign_key
inner join pg_catalog.pg_class as table_class on table_class.oid = foreign_key.conrelid
inner join pg_catalog.pg_class as referenced_class on referenced_class.oid = foreign_key.confrelid
inner join pg_catalog.pg_namespace as table_schema on table_schema.oid = table_class.relnamespace
where table_schema.nspname = %s and foreign_key.contype = 'f'
"""
ENUMS_SQL = """
select enum_type.typname, array_agg(label.enumlabel::text order by label.enumsortorder)
from pg_catalog.pg_type as enum_type
inner join pg_catalog.pg_namespace as type_schema on type_schema.oid = enum_type.typnamespace
inner join pg_catalog.pg_enum as label on label.enumtypid = enum_type.oid
where type_schema.nspname = %s
group by enum_type.typname
"""


@dataclass(frozen=True)
class Column:
    """A column as pg_catalog describes it."""

    table: str
    name: str
    not_null: bool
    is_identity: bool
    default_expression: str | None
    is_array: bool
    type_name: str
    is_enum: bool
    type_modifier: int


ForeignKey = tuple[tuple[str, ...], str, tuple[str, ...]]  # columns, referenced table, columns


@dataclass
class Catalog:
    """The tables, keys and enum types of one schema of the database."""

    columns: dict[str, dict[str, Column]] = field(default_factory=dict)
    # per table: (is primary key, columns) of each unique index
    unique: dict[str, set[tuple[bool, tuple[str, ...]]]] = field(default_factory=dict)
    # per table: each foreign key -> its (ON DELETE, ON UPDATE) as Prisma actions
    foreign_keys: dict[str, dict[ForeignKey, tuple[str, str]]] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Comparison:
    """The outcome: differences (each fails the check), notes (known, accepted), and how
    many fields and relations were compared."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fields_compared: int = 0
    relations_compared: int = 0


def read_catalog(connection, schema: str) -> Catalog:
    """pg_catalog's description of the tables and enum types in `schema`."""
    catalog = Catalog()
    for row in database.fetch_all(connection, COLUMNS_SQL, (schema,)):
        column = Column(*row)
        catalog.columns.setdefault(column.table, {})[column.name] = column
    for table, is_primary, names in database.fetch_all(connection, UNIQUE_SQL, (schema,)):
        catalog.unique.setdefault(table, set()).add((is_primary, tuple(names)))
    for row in database.fetch_all(connection, FOREIGN_KEYS_SQL, (schema,)):
        table, columns, referenced, referenced_columns, on_delete, on_update = row
        key = (tuple(columns), referenced, tuple(referenced_columns))
        catalog.foreign_keys.setdefault(table, {})[key] = (
            FOREIGN_KEY_ACTIONS[on_delete],
            FOREIGN_KEY_ACTIONS[on_update],
        )
    catalog.enums = dict(database.fetch_all(connection, ENUMS_SQL, (schema,)))
    return catalog


def prisma_environment() -> dict[str, str]:
    """The environment for the Prisma CLI: no update checks, and a schema engine path.

    Prisma 7 resolves its schema engine binary at start-up and downloads it when absent,
    even for validate, format and generate, which never run it (they use the WebAssembly
    build). Any existing file satisfies the check; the engine is only for migrate/db.
    """
    env = dict(os.environ)
    env.setdefault("PRISMA_SCHEMA_ENGINE_BINARY", shutil.which("false") or sys.executable)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env.setdefault("PRISMA_HIDE_UPDATE_MESSAGE", "1")
    return env


def run_prisma(*args: str, project_dir: Path = PROJECT_DIR) -> subprocess.CompletedProcess:
    """Run the project's pinned Prisma CLI (node_modules, `npm ci`)."""
    if not PRISMA_BIN.exists():
        raise MigrationError(f"{PRISMA_BIN} is missing: run `npm ci` (or `make test`)", EXIT_USAGE)
    result = subprocess.run(
        [str(PRISMA_BIN), *args],
        cwd=project_dir,
        env=prisma_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = database.one_line(result.stderr or result.stdout)
        raise MigrationError(f"prisma {' '.join(args)} failed: {output}")
    return result


def describe(schema_text: str) -> dict[str, Any]:
    """The DMMF datamodel of a schema, as `prisma generate` hands it to its generators."""
    with tempfile.TemporaryDirectory(prefix="prisma-describe-") as directory:
        schema = Path(directory) / "schema.prisma"
        output = Path(directory) / "dmmf"
        provider = f"node {shlex.quote(str(DESCRIBE_GENERATOR))}"
        schema.write_text(
            schema_text
            + f"\ngenerator describe {{\n  provider = {json.dumps(provider)}\n"
            + f"  output   = {json.dumps(str(output))}\n}}\n"
        )
        run_prisma("generate", "--schema", str(schema), "--generator", "describe")
        return json.loads((output / "dmmf.json").read_text())["datamodel"]


def _column_type(column: Column) -> str:
    """A column's type as `name(modifier)[]`, e.g. `timestamp(6)`, `varchar(50)`, `text[]`."""
    name, modifier = column.type_name, column.type_modifier
    if column.is_enum:
        text = f"enum {name}"
    elif name in ("timestamp", "timestamptz", "time", "timetz"):
        # no declared precision is PostgreSQL's default, 6
        text = f"{name}({6 if modifier < 0 else modifier})"
    elif name in ("varchar", "bpchar") and modifier >= 0:
        text = f"{name}({modifier - 4})"
    elif name == "numeric" and modifier >= 0:
        text = f"numeric({(modifier - 4) >> 16},{(modifier - 4) & 0xFFFF})"
    else:
        text = name
    return text + ("[]" if column.is_array else "")


def _field_type(prisma_field: dict[str, Any], enum_names: dict[str, str]) -> str:
    """A Prisma field's type in the same form, from its native type or Prisma's default;
    an enum field's is its enum's database name."""
    if prisma_field["kind"] == "enum":
        text = f"enum {enum_names[prisma_field['type']]}"
    else:
        native, args = prisma_field.get("nativeType") or DEFAULT_NATIVE_TYPES.get(
            prisma_field["type"], (prisma_field["type"], [])
        )
        name = NATIVE_TYPE_NAMES.get(native, f"unknown native type {native}")
        if name in ("timestamp", "timestamptz", "time", "timetz"):
            args = args or ["6"]
        text = f"{name}({','.join(args)})" if args else name
    return text + ("[]" if prisma_field["isList"] else "")


def _literal(expression: str, numeric: bool = False) -> Any:
    """A column default as a Python value where it is a plain literal, else the text:
    `'UTC'::text` -> 'UTC', `720` -> 720.0, `'-1'::integer` -> -1.0, `true` -> True."""
    text = expression.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    text = re.sub(r"::[\w\s\".\[\]]+$", "", text).strip()
    if text.upper() in ("CURRENT_TIMESTAMP", "NOW()", "LOCALTIMESTAMP"):
        return ("now",)
    if text in ("true", "false"):
        return text == "true"
    if numeric and re.fullmatch(r"'?-?\d+(\.\d+)?'?", text):
        return float(text.strip("'"))
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    return ("expression", expression)


def _database_default(column: Column) -> Any:
    if column.is_identity or (column.default_expression or "").startswith("nextval("):
        return ("autoincrement",)
    if column.default_expression is None:
        return None
    return _literal(column.default_expression, numeric=column.type_name in NUMERIC_TYPES)


def _prisma_default(prisma_field: dict[str, Any]) -> Any:
    if "default" not in prisma_field:
        return None
    default = prisma_field["default"]
    if isinstance(default, dict):
        if default["name"] == "dbgenerated":
            return ("expression", default["args"][0] if default["args"] else "")
        return (default["name"],)
    if isinstance(default, bool):
        return default
    if isinstance(default, (int, float)):
        return float(default)
    return default


def _label(model: dict[str, Any], prisma_field: dict[str, Any] | None, column: str) -> str:
    """`Model.field ("table".column)`, or `Model ("table".column)` for an undeclared column."""
    table = model.get("dbName") or model["name"]
    name = f"{model['name']}.{prisma_field['name']}" if prisma_field else model["name"]
    return f'{name} ("{table}".{column})'


def _compare_field(
    model: dict[str, Any],
    prisma_field: dict[str, Any],
    column: Column,
    enum_names: dict[str, str],
    result: Comparison,
) -> None:
    """Type, nullability and default of one scalar or enum field against its column."""
    label = _label(model, prisma_field, column.name)
    declared, actual = _field_type(prisma_field, enum_names), _column_type(column)
    if declared != actual:
        result.differences.append(
            f"{label}: type: Prisma {prisma_field['type']} is {declared}, the column is {actual}"
        )
    if prisma_field["isList"]:
        if not column.not_null:
            result.notes.append(
                f"{label}: the column is nullable; Prisma reads NULL as [] (no optional lists)"
            )
    elif prisma_field["isRequired"] != column.not_null:
        declared_null = "required" if prisma_field["isRequired"] else "optional"
        actual_null = "NOT NULL" if column.not_null else "nullable"
        result.differences.append(
            f"{label}: nullability: Prisma {declared_null}, the column is {actual_null}"
        )
    prisma_default, database_default = _prisma_default(prisma_field), _database_default(column)
    if prisma_default != database_default:
        result.differences.append(
            f"{label}: default: Prisma {prisma_default!r}, the column {database_default!r}"
        )


def _column_names(model: dict[str, Any], names: list[str]) -> tuple[str, ...]:
    by_name = {prisma_field["name"]: prisma_field for prisma_field in model["fields"]}
    return tuple(by_name[name].get("dbName") or name for name in names)


def _compare_keys(model: dict[str, Any], catalog: Catalog, result: Comparison) -> None:
    table = model.get("dbName") or model["name"]
    declared: set[tuple[bool, tuple[str, ...]]] = set()
    for prisma_field in model["fields"]:
        if prisma_field.get("isId"):
            declared.add((True, _column_names(model, [prisma_field["name"]])))
        if prisma_field.get("isUnique"):
            declared.add((False, _column_names(model, [prisma_field["name"]])))
    if model.get("primaryKey"):
        declared.add((True, _column_names(model, model["primaryKey"]["fields"])))
    for names in model.get("uniqueFields") or []:
        declared.add((False, _column_names(model, names)))
    actual = catalog.unique.get(table, set())
    for is_primary, columns in sorted(declared - actual):
        kind = "primary key" if is_primary else "unique"
        result.differences.append(
            f"{model['name']}: Prisma declares {kind} ({', '.join(columns)}), the table has none"
        )
    for is_primary, columns in sorted(actual - declared):
        kind = "primary key" if is_primary else "unique index"
        result.differences.append(
            f"{model['name']}: the table has {kind} ({', '.join(columns)}), "
            "Prisma does not declare it"
        )


def _models_by_name(datamodel: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {model["name"]: model for model in datamodel["models"]}


def _compare_relations(
    model: dict[str, Any], datamodel: dict[str, Any], catalog: Catalog, result: Comparison
) -> None:
    """Each relation field with `fields:` against the table's foreign keys, both ways."""
    table = model.get("dbName") or model["name"]
    models = _models_by_name(datamodel)
    declared: dict[ForeignKey, tuple[str, str]] = {}
    for prisma_field in model["fields"]:
        if prisma_field["kind"] != "object" or not prisma_field.get("relationFromFields"):
            continue
        target = models[prisma_field["type"]]
        key = (
            _column_names(model, prisma_field["relationFromFields"]),
            target.get("dbName") or target["name"],
            _column_names(target, prisma_field["relationToFields"]),
        )
        # Prisma's defaults when a relation names no action
        declared[key] = (
            prisma_field.get("relationOnDelete")
            or ("Restrict" if prisma_field["isRequired"] else "SetNull"),
            prisma_field.get("relationOnUpdate") or "Cascade",
        )
        result.relations_compared += 1
    actual = catalog.foreign_keys.get(table, {})
    for key in sorted(declared.keys() | actual.keys()):
        columns, referenced, referenced_columns = key
        text = (
            f"{model['name']}: ({', '.join(columns)}) -> "
            f'"{referenced}" ({", ".join(referenced_columns)})'
        )
        if key not in actual:
            result.differences.append(f"{text}: a Prisma relation without a foreign key")
        elif key not in declared:
            result.differences.append(f"{text}: a foreign key without a Prisma relation")
        elif declared[key] != actual[key]:
            result.differences.append(
                f"{text}: Prisma onDelete {declared[key][0]}, onUpdate {declared[key][1]}; "
                f"the foreign key ON DELETE {actual[key][0]}, ON UPDATE {actual[key][1]}"
            )


def compare(datamodel: dict[str, Any], catalog: Catalog) -> Comparison:
    """Every model, field, key, relation and enum of a DMMF datamodel against the catalog."""
    result = Comparison()
    enum_names = {enum["name"]: enum.get("dbName") or enum["name"] for enum in datamodel["enums"]}
    for model in datamodel["models"]:
        table = model.get("dbName") or model["name"]
        columns = catalog.columns.get(table)
        if columns is None:
            result.differences.append(f'{model["name"]}: no table "{table}"')
            continue
        modelled = set()
        for prisma_field in model["fields"]:
            if prisma_field["kind"] not in ("scalar", "enum"):
                continue
            name = prisma_field.get("dbName") or prisma_field["name"]
            modelled.add(name)
            result.fields_compared += 1
            if name not in columns:
                result.differences.append(f"{_label(model, prisma_field, name)}: no such column")
                continue
            _compare_field(model, prisma_field, columns[name], enum_names, result)
        for name in columns.keys() - modelled:
            result.differences.append(
                f"{_label(model, None, name)}: a column Prisma does not declare"
            )
        _compare_keys(model, catalog, result)
        _compare_relations(model, datamodel, catalog, result)
    for enum in datamodel["enums"]:
        name = enum.get("dbName") or enum["name"]
        labels = [value.get("dbName") or value["name"] for value in enum["values"]]
        if catalog.enums.get(name) != labels:
            result.differences.append(
                f"enum {enum['name']}: Prisma {labels}, the database {catalog.enums.get(name)}"
            )
    return result


def run(schema_file: Path = SCHEMA_FILE, schema: str | None = None) -> Comparison:
    """Compare `schema_file` with the database the PG* variables name."""
    datamodel = describe(schema_file.read_text())
    connection = database.connect("prisma compare")
    try:
        catalog = read_catalog(
            connection, schema or os.environ.get("FORECAST_TARGET_SCHEMA", "public")
        )
    finally:
        connection.close()
    return compare(datamodel, catalog)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema-file", type=Path, default=SCHEMA_FILE)
    parser.add_argument(
        "--schema",
        help="database schema of the new tables (default $FORECAST_TARGET_SCHEMA or public)",
    )
    args = parser.parse_args(argv)
    try:
        result = run(args.schema_file, args.schema)
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    for note in result.notes:
        print(f"note: {note}")
    for difference in result.differences:
        print(f"differs: {difference}")
    print(
        f"{args.schema_file.name} against {database.describe_target()}: "
        f"{result.fields_compared} fields and {result.relations_compared} relations compared, "
        f"{len(result.differences)} differences"
    )
    return 1 if result.differences else 0


if __name__ == "__main__":
    sys.exit(main())
