"""Connections to the database the PG* variables name, read exactly as the dbt profile reads
them (profiles.example.yml), so psql, dbt and forecast-migrate reach the same database."""

import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import psycopg2
from psycopg2 import sql

from . import EXIT_USAGE, MigrationError, queries

# The defaults of profiles.example.yml, for variables that are not set.
PROFILE_DEFAULTS = {"PGHOST": "localhost", "PGPORT": "5432", "PGUSER": "postgres",
                    "PGPASSWORD": "", "PGDATABASE": "postgres"}  # fmt: skip
CONNECT_TIMEOUT_SECONDS = 10

Query = str | sql.Composable


def setting(name: str) -> str:
    return os.environ.get(name) or PROFILE_DEFAULTS[name]


def describe_target() -> str:
    """Where the PG* variables point, for messages (never the password)."""
    return (
        f'database "{setting("PGDATABASE")}" on {setting("PGHOST")}:{setting("PGPORT")} '
        f'as "{setting("PGUSER")}"'
    )


def one_line(text: str) -> str:
    """A server or libpq message as one line (libpq splits hints over several)."""
    return " ".join(str(text).split())


def connect(purpose: str, *, autocommit: bool = True):
    """Open a connection for one purpose (its application_name), with SESSION_SETTINGS."""
    try:
        connection = psycopg2.connect(
            **{key: setting(f"PG{key.upper()}") for key in ("host", "port", "user", "password")},
            dbname=setting("PGDATABASE"),
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=f"forecast-migrate {purpose} pid {os.getpid()}"[:63],
        )
    except psycopg2.OperationalError as error:
        raise MigrationError(
            f"cannot connect to {describe_target()}: {one_line(error)}", EXIT_USAGE
        ) from error
    connection.autocommit = True
    execute(connection, queries.SESSION_SETTINGS)
    connection.autocommit = autocommit
    return connection


@contextmanager
def transaction(purpose: str, *, isolation_level: str | None = None) -> Iterator[Any]:
    """A connection of its own, committed if the block succeeds, else rolled back; then closed."""
    with closing(connect(purpose, autocommit=False)) as connection, connection:
        if isolation_level:
            connection.set_session(isolation_level=isolation_level)
        yield connection


def fetch_all(connection, query: Query, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def fetch_one(connection, query: Query, params: Any = None) -> tuple | None:
    return next(iter(fetch_all(connection, query, params)), None)


def fetch_value(connection, query: Query, params: Any = None) -> Any:
    row = fetch_one(connection, query, params)
    return row[0] if row else None


def relation_exists(connection, schema: str, name: str) -> bool:
    regclass = queries.regclass_text(schema, name)
    return bool(fetch_value(connection, queries.RELATION_EXISTS, (regclass,)))


def execute(connection, query: Query, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount
