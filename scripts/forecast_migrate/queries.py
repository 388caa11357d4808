"""SQL the wrapper composes itself on names the dbt project supplies: catalog look-ups,
checksums, DDL. SQL that knows the project's rules is not here but in analyses/, run by dbt.
Identifiers always pass through `sql.Identifier`, values through parameters."""

from collections.abc import Iterable

from psycopg2 import sql

# Settings that make a row's text form, and so a checksum, independent of the client.
SESSION_SETTINGS = sql.SQL(
    "set timezone = 'UTC'; set datestyle = 'ISO, YMD'; set intervalstyle = 'postgres'; "
    "set extra_float_digits = 1; set bytea_output = 'hex'"
)
SERVER_NOW = sql.SQL("select now()")
# (regclass text, see regclass_text) -> whether the relation exists
RELATION_EXISTS = sql.SQL("select to_regclass(%s) is not null")
EXTENSION_INSTALLED = sql.SQL(
    "select exists (select 1 from pg_catalog.pg_extension where extname = %s)"
)
SCHEMA_EXISTS = sql.SQL("select exists (select 1 from pg_catalog.pg_namespace where nspname = %s)")
# (schema) -> number of objects of any kind left in the schema
OBJECTS_IN_SCHEMA = sql.SQL(
    "select (select count(*) from pg_catalog.pg_class where relnamespace = nsp.oid) "
    "+ (select count(*) from pg_catalog.pg_type as typ where typ.typnamespace = nsp.oid "
    "   and typ.typrelid = 0 and typ.typcategory <> 'A') "
    "+ (select count(*) from pg_catalog.pg_proc where pronamespace = nsp.oid) "
    "from pg_catalog.pg_namespace as nsp where nsp.nspname = %s"
)
# (schema, tables[]) -> child table, parent table of foreign keys among those tables
FOREIGN_KEYS_AMONG = sql.SQL(
    "select child.relname, parent.relname from pg_catalog.pg_constraint as con "
    "join pg_catalog.pg_class as child on child.oid = con.conrelid "
    "join pg_catalog.pg_class as parent on parent.oid = con.confrelid "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = child.relnamespace "
    "where con.contype = 'f' and nsp.nspname = %s and parent.relnamespace = nsp.oid "
    "and child.relname = any(%s) and parent.relname = any(%s) and child.oid <> parent.oid"
)
# (schema, table) -> column names in order
TABLE_COLUMNS = sql.SQL(
    "select attribute.attname from pg_catalog.pg_attribute as attribute "
    "join pg_catalog.pg_class as rel on rel.oid = attribute.attrelid "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = rel.relnamespace "
    "where nsp.nspname = %s and rel.relname = %s "
    "and attribute.attnum > 0 and not attribute.attisdropped "
    "order by attribute.attnum"
)
# (relation oids as 'schema.table' texts[]) -> other sessions holding locks on them
LOCK_HOLDERS = sql.SQL(
    "select distinct activity.pid, activity.usename, activity.application_name, activity.state, "
    "extract(epoch from now() - coalesce(activity.xact_start, activity.query_start))::int, "
    "left(regexp_replace(activity.query, '\\s+', ' ', 'g'), 80), held.relation::regclass::text "
    "from pg_catalog.pg_locks as held "
    "join pg_catalog.pg_stat_activity as activity on activity.pid = held.pid "
    "where held.granted and held.pid <> pg_backend_pid() and held.database = "
    "(select oid from pg_catalog.pg_database where datname = current_database()) "
    "and held.relation = any(array(select to_regclass(name) from unnest(%s::text[]) as name)) "
    "order by activity.pid"
)
MANIFEST_TABLE = "backup_manifest"
# -> schemas that hold a backup manifest table
BACKUP_SCHEMAS = sql.SQL(
    "select nsp.nspname from pg_catalog.pg_class as rel "
    "join pg_catalog.pg_namespace as nsp on nsp.oid = rel.relnamespace "
    "where rel.relname = %s and rel.relkind = 'r' order by nsp.nspname"
)


def regclass_text(schema: str, name: str) -> str:
    """The text form to_regclass() accepts for schema.name (both parts quoted)."""
    return '"{}"."{}"'.format(schema.replace('"', '""'), name.replace('"', '""'))


def checksum(schema: str, table: str) -> sql.Composed:
    """Row count and an order-independent checksum of one table (run with SESSION_SETTINGS):
    the two 64-bit halves of each row's md5 summed, so no sort and no unbounded string."""
    return sql.SQL(
        "select count(*), md5(count(*)::text || ':' "
        "|| coalesce(sum(('x' || left(row_hash, 16))::bit(64)::bigint::numeric), 0)::text || ':' "
        "|| coalesce(sum(('x' || right(row_hash, 16))::bit(64)::bigint::numeric), 0)::text) "
        "from (select md5(source_row::text) as row_hash from {} as source_row) as hashed"
    ).format(sql.Identifier(schema, table))


def set_lock_timeout(milliseconds: int) -> sql.Composed:
    return sql.SQL("set local lock_timeout = {}").format(sql.Literal(f"{milliseconds}ms"))


def with_relations(statement: str, relations: Iterable[tuple[str, str]]) -> sql.Composed:
    """`statement` with `{}` as the relations' schema-qualified names, comma-separated."""
    names = sql.SQL(", ").join(sql.Identifier(schema, name) for schema, name in relations)
    return sql.SQL(statement).format(names)


def drop_schema(schema: str, cascade: bool = False) -> sql.Composed:
    cascading = sql.SQL(" cascade" if cascade else "")
    return sql.SQL("drop schema {}{}").format(sql.Identifier(schema), cascading)
