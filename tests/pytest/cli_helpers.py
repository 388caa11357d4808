"""Helpers for the forecast-migrate CLI tests: run the CLI in-process (`main(argv)`) or as the
console script in a subprocess, and fingerprint a database independently of the CLI's own
SQL, so "nothing changed" and "the same state as an uninterrupted run" can be asserted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from conftest import LEGACY_APP_ROLE, Database, create_database, manifest_key
from forecast_migrate.cli import main
from forecast_migrate.dbt import DbtSession
from helpers import legacy_checksums

FORECAST_MIGRATE = Path(sys.executable).parent / "forecast-migrate"
PROJECT_SCHEMAS = ("public", "forecast_migration")
RUN_LOG_SCHEMA = "migration_run_log"
# columns holding the build's start time (run_started_at) or its batch: they differ between
# two builds
RUN_TIME_COLUMNS = ("createdAt", "updatedAt", "migratedAt", "counted_in_batch")
RUN_VERSION_COLUMNS = "- 'legacy_version' - 'price_forecast_version' - 'checksummed_by_batch'"
RUN_ACTIVITY_COLUMNS = "- '{seq_scans,seq_rows_read,index_scans,rows_inserted,rows_updated,rows_deleted,commits,rollbacks,deadlocks,conflicts,stats_reset,taken_at}'::text[]"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def cli_env(db, **overrides: str) -> dict[str, str]:
    """The PG* environment that points the CLI at `db`, with overrides."""
    env = {**db.env, "PGDATABASE": db.name}
    env.update(overrides)
    return env


def run_cli(db, monkeypatch, capsys, *args: str, **env: str) -> CliResult:
    """Run `forecast-migrate <args>` in-process against `db`; return code and output."""
    for key, value in cli_env(db, **env).items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def start_cli(db, *args: str, **env: str) -> subprocess.Popen:
    """Start the console script in a subprocess (line-buffered text output)."""
    return subprocess.Popen(
        [str(FORECAST_MIGRATE), *args],
        env={**os.environ, **cli_env(db, **env), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_one_line_error(result: CliResult, code: int, *fragments: str) -> None:
    """The CLI failed with `code` and exactly one line `error: ...` on stderr."""
    lines = result.err.strip().splitlines()
    assert result.code == code, (result.code, result.out, result.err)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def legacy_write_error(db, statement: str) -> str | None:
    """The error of a write by the old application's role, or None when it was accepted."""
    try:
        db.execute(statement, role=LEGACY_APP_ROLE)
    except psycopg2.Error as error:
        return error.pgerror
    return None


def drop_database(admin, db) -> None:
    admin.execute(f'drop database if exists "{db.name}" with (force)')


def wait_for_other_sessions_to_end(db, timeout: float = 30.0) -> None:
    """After a SIGKILL the server notices the dead client shortly: wait for its sessions."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not db.scalar(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and pid <> pg_backend_pid()"
        ):
            return
        time.sleep(0.1)
    raise AssertionError("sessions of the killed process are still open")


def schemas(db) -> list[str]:
    return [
        name
        for (name,) in db.query(
            "select nspname from pg_namespace where nspname not like 'pg\\_%' "
            "and nspname <> 'information_schema' order by 1"
        )
    ]


def backup_schemas(db) -> list[str]:
    return [name for name in schemas(db) if name.startswith("backup_")]


def project_state(db) -> dict[str, object]:
    """Everything the migration creates, read from the catalog and the tables: relations,
    types and functions of the project's schemas, constraints, columns, indexes, sequences,
    and every table's content (ignoring only the build's start time). Backups and the
    run log live in other schemas and are not part of it."""
    schema_list = "('public', 'forecast_migration')"
    state: dict[str, object] = {
        "schemas": db.query(
            f"select nspname, nspacl::text from pg_namespace where nspname in {schema_list} "
            "order by 1"
        ),
        "relations": db.query(
            "select nsp.nspname, rel.relname, rel.relkind from pg_class as rel "
            "join pg_namespace as nsp on nsp.oid = rel.relnamespace "
            f"where nsp.nspname in {schema_list} order by 1, 2"
        ),
        "types": db.query(
            "select nsp.nspname, typ.typname, typ.typtype from pg_type as typ "
            "join pg_namespace as nsp on nsp.oid = typ.typnamespace "
            f"where nsp.nspname in {schema_list} order by 1, 2"
        ),
        "enum_labels": db.query(
            "select typ.typname, label.enumlabel from pg_enum as label join pg_type as typ on typ.oid = label.enumtypid "
            f"join pg_namespace as nsp on nsp.oid = typ.typnamespace where nsp.nspname in {schema_list} "
            "order by 1, label.enumsortorder"
        ),
        "functions": db.query(
            "select nsp.nspname, proc.proname from pg_proc as proc join pg_namespace as nsp on nsp.oid = proc.pronamespace "
            f"where nsp.nspname in {schema_list} order by 1, 2"
        ),
        "constraints": db.query(
            "select conrelid::regclass::text, conname, pg_get_constraintdef(oid) from pg_constraint "
            f"where connamespace in (select oid from pg_namespace where nspname in {schema_list}) "
            "order by 1, 2"
        ),
        "columns": db.query(
            "select table_schema, table_name, column_name, data_type, is_nullable, column_default, "
            f"is_identity from information_schema.columns where table_schema in {schema_list} "
            "order by 1, 2, 3"
        ),
        "indexes": db.query(
            f"select schemaname, indexname, indexdef from pg_indexes where schemaname in {schema_list} "
            "order by 1, 2"
        ),
        "sequences": db.query(
            "select schemaname, sequencename, start_value, last_value from pg_sequences "
            f"where schemaname in {schema_list} order by 1, 2"
        ),
        # the batch view says which kind the last batch was (every row, or the ids it lists):
        # an interrupted and a whole migration may differ there by design
        "views": db.query(
            f"select schemaname, viewname, definition from pg_views where schemaname in {schema_list} "
            "and viewname <> 'int_price_rows_batch' order by 1, 2"
        ),
        "privileges": db.query(
            "select table_schema, table_name, grantee, privilege_type "
            f"from information_schema.role_table_grants where table_schema in {schema_list} "
            "order by 1, 2, 3, 4"
        ),
    }
    removed = " ".join(f"- '{column}'" for column in RUN_TIME_COLUMNS)
    for schema, table, kind in state["relations"]:  # type: ignore[union-attr]
        # the load ledger records the builds themselves (their snapshots and transactions):
        # an interrupted and a whole migration differ there by design
        if kind == "r" and table != "price_load_batches":
            # so does the verification ledger's record of row versions and batches, not its checksums
            also = RUN_VERSION_COLUMNS if table == "price_chunk_checksums" else ""
            # and the statistics a build ends with: only which tables they are of is the same
            also = RUN_ACTIVITY_COLUMNS if table == "database_activity_baseline" else also
            state[f"rows {schema}.{table}"] = db.query(
                f"select count(*), md5(coalesce(string_agg(row_text, chr(10) order by row_text), '')) "
                f"from (select (to_jsonb(row_) {removed} {also})::text as row_text "
                f'from "{schema}"."{table}" as row_) as rows'
            )[0]
    return state


def legacy_state(db) -> dict[str, object]:
    """The legacy tables' counts and checksums (helpers.legacy_checksums) and their catalog."""
    return {
        "checksums": legacy_checksums(db),
        "relations": db.query(
            "select rel.relname, rel.relkind from pg_class as rel join pg_namespace as nsp on nsp.oid = rel.relnamespace "
            "where nsp.nspname = 'Forecasts' order by 1"
        ),
    }


def run_log_rows(db) -> list[tuple]:
    if not db.scalar("select to_regclass('migration_run_log.runs') is not null"):
        return []
    return db.query(
        "select id, command, outcome, message, backup_name, counts from migration_run_log.runs order by id"
    )


# The CLI tests run every command against a database of this one name (recreated per test):
# dbt re-parses the whole project when the profile changes, and PGDATABASE is part of it.
CLI_DB_NAME = f"forecast_cli_{os.getpid()}"


def fresh_database(admin, template: str, name: str = CLI_DB_NAME):
    """(Re)create database `name` as a copy of `template` (create_database drops it first)."""
    return create_database(admin, template=template, name=name)


def rename_database(admin, db, name: str):
    """Rename a database (no session may be connected to it)."""
    admin.execute(f'drop database if exists "{name}" with (force)')
    admin.execute(f'alter database "{db.name}" rename to "{name}"')
    return Database(env=db.env, name=name)


_cli_template: dict[str, str] = {}


@pytest.fixture(scope="session")
def cli_migrated_template(admin, sample_template) -> Iterator[str]:
    """The sample database after `forecast-migrate migrate` (with its backup and run log);
    built once per session even when several test modules import this fixture."""
    if "name" not in _cli_template:
        db = fresh_database(admin, sample_template)
        for key, value in cli_env(db).items():
            os.environ[key] = value
        assert main(["--quiet", "migrate"]) == 0
        _cli_template["name"] = rename_database(
            admin, db, f"cli_migrated_{uuid.uuid4().hex[:8]}"
        ).name
    yield _cli_template["name"]
    admin.execute(f'drop database if exists "{_cli_template["name"]}" with (force)')


_reference: dict[str, tuple] = {}


@pytest.fixture(scope="session")
def never_migrated_state(admin, sample_template) -> tuple:
    """(project_state, legacy_state) of the sample database before any migration."""
    if "never" not in _reference:
        db = create_database(admin, template=sample_template)
        _reference["never"] = (project_state(db), legacy_state(db))
        drop_database(admin, db)
    return _reference["never"]


@pytest.fixture
def cli_sample_db(admin, sample_template):
    """A fresh copy of the sample (never migrated) database, under the CLI tests' name."""
    db = fresh_database(admin, sample_template)
    yield db
    drop_database(admin, db)


@pytest.fixture
def cli_migrated_db(admin, cli_migrated_template):
    """A fresh copy of the database migrated by the CLI, under the CLI tests' name."""
    db = fresh_database(admin, cli_migrated_template)
    yield db
    drop_database(admin, db)


_session_manifests: dict[str, object] = {}
_parse_project = DbtSession.manifest.fget


def shared_manifest(session: DbtSession):
    """DbtSession.manifest, parsed once per key (conftest.manifest_key) for all the in-process
    CLI runs of the tests. The console script runs (start_cli) and the fixtures that call
    main() directly parse as users do."""
    if session._manifest is None:
        flags = session._flags
        vars_yaml = flags[flags.index("--vars") + 1] if "--vars" in flags else None
        key = manifest_key(vars_yaml, session.full_parse)
        if key not in _session_manifests:
            _session_manifests[key] = _parse_project(session)
        session._manifest = _session_manifests[key]
    return session._manifest


@pytest.fixture
def cli(monkeypatch, capsys):
    """cli(db, *args, **env) runs forecast-migrate in-process against db, its dbt session
    reusing the manifest parsed for the same key (shared_manifest)."""
    monkeypatch.setattr(DbtSession, "manifest", property(shared_manifest))

    def run(db, *args, **env):
        return run_cli(db, monkeypatch, capsys, *args, **env)

    return run
