"""The roles of a database set up the way AWS RDS sets one up: the project runs as the
database's owner, a login role with CREATEDB and CREATEROLE that is not a superuser; the
roles the old application uses on the legacy tables, which the project did not create, get
the same privileges on the new relations that replace each legacy table, with nothing
created or granted by hand."""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from conftest import (
    LEGACY_APP_ROLE,
    LEGACY_READER_ROLE,
    OWNER_ROLE,
    Database,
)

# The runbook keeps the application's DATABASE_URL: who could use a legacy table can use
# the relations that replace it (written here from the issue, not read from the project).
REPLACES = {
    "curve_definitions": [
        "CurveDefinition",
        "LegacyCurveMapping",
        "DefaultCurveInput",
        "curve_definitions_compat",
    ],
    "price_forecasts": [
        "CurveInstance",
        "PriceForecast",
        "CurveInputLineage",
        "VersionHistory",
        "QualityMetric",
    ],
    "curve_schedule": ["CurveSchedule", "ScheduleRun"],
}
VIEWS = {"curve_definitions_compat"}
READ_WRITE = {"SELECT", "INSERT", "UPDATE", "DELETE"}
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def privileges(db, role: str, relation: str, schema: str = "public") -> set[str]:
    """The table privileges `role` holds on a relation, asked of PostgreSQL itself."""
    return {
        privilege
        for privilege in TABLE_PRIVILEGES
        if db.scalar(
            "select has_table_privilege(%s, %s, %s)", (role, f'"{schema}"."{relation}"', privilege)
        )
    }


def insert_instance_and_price(db, role: str) -> tuple[int, int]:
    """As `role`, without ids: a curve instance of a migrated curve and one price in it."""
    instance = db.scalar(
        'insert into "CurveInstance" (curve_definition_id, "instanceVersion", "deliveryPeriodStart", '
        '"deliveryPeriodEnd", "forecastRunDate", "freshnessStartDate", "createdBy") '
        "values (1, %s, '2030-01-01', '2030-01-02', now(), now(), 'app') returning id",
        (int(uuid.uuid4().int % 100000) + 1000,),
        role=role,
    )
    price = db.scalar(
        'insert into "PriceForecast" (curve_instance_id, "timestamp", value) '
        "values (%s, '2030-01-01 00:00', 42.5) returning id",
        (instance,),
        role=role,
    )
    return instance, price


@pytest.mark.every_version
def test_the_project_runs_as_the_non_superuser_owner_of_everything_it_builds(migrated):
    assert migrated.env["PGUSER"] == OWNER_ROLE
    super_, createdb, createrole = migrated.query(
        "select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user"
    )[0]
    assert (super_, createdb, createrole) == (False, True, True)
    owners = migrated.query(
        "select distinct pg_get_userbyid(relowner) from pg_class "
        "where relnamespace in ('public'::regnamespace, 'forecast_migration'::regnamespace, "
        "'\"Forecasts\"'::regnamespace) and relkind in ('r', 'v', 'S', 'i')"
    )
    assert owners == [(OWNER_ROLE,)]


@pytest.mark.every_version
def test_the_old_applications_role_uses_the_new_tables_after_every_build(migrated_db):
    db = migrated_db
    for relations in REPLACES.values():
        for relation in relations:
            expected = {"SELECT"} if relation in VIEWS else READ_WRITE
            assert privileges(db, LEGACY_APP_ROLE, relation) == expected, relation
            assert db.scalar(f'select count(*) >= 0 from "{relation}"', role=LEGACY_APP_ROLE)
    first = insert_instance_and_price(db, LEGACY_APP_ROLE)
    db.build()
    second = insert_instance_and_price(db, LEGACY_APP_ROLE)
    assert second[0] > first[0] and second[1] > first[1]
    assert db.scalar("select count(*) from curve_definitions_compat", role=LEGACY_APP_ROLE) == 72


@pytest.mark.every_version
def test_a_role_that_only_reads_the_legacy_tables_only_reads_the_new_ones(migrated):
    for relations in REPLACES.values():
        for relation in relations:
            assert privileges(migrated, LEGACY_READER_ROLE, relation) == {"SELECT"}, relation
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        insert_instance_and_price(migrated, LEGACY_READER_ROLE)


@pytest.mark.every_version
def test_each_new_relation_takes_the_privileges_of_the_legacy_table_it_replaces(sample_db):
    db = sample_db
    db.execute(f'revoke select on "Forecasts".price_forecasts from {LEGACY_READER_ROLE}')
    db.execute(f'grant select, insert on "Forecasts".curve_schedule to {LEGACY_READER_ROLE}')
    db.build()
    for legacy_table, relations in REPLACES.items():
        for relation in relations:
            expected = {
                "curve_definitions": {"SELECT"},
                "price_forecasts": set(),
                "curve_schedule": {"SELECT"} if relation in VIEWS else {"SELECT", "INSERT"},
            }[legacy_table]
            assert privileges(db, LEGACY_READER_ROLE, relation) == expected, relation
    # a role that may insert may draw ids from the identity sequence
    assert db.scalar(
        "select has_sequence_privilege(%s, pg_get_serial_sequence('\"CurveSchedule\"', 'id'), 'USAGE')",
        (LEGACY_READER_ROLE,),
    )
    assert not db.scalar(
        "select has_sequence_privilege(%s, pg_get_serial_sequence('\"CurveDefinition\"', 'id'), 'USAGE')",
        (LEGACY_READER_ROLE,),
    )


def test_a_database_only_its_owner_uses_gets_no_grant(sample_db):
    db = sample_db
    for role in (LEGACY_APP_ROLE, LEGACY_READER_ROLE):
        db.execute(f'revoke all on all tables in schema "Forecasts" from {role}')
    db.build()
    grants = db.query(
        "select table_name, grantee from information_schema.role_table_grants "
        "where table_schema = 'public' and grantee <> %s",
        (OWNER_ROLE,),
    )
    assert grants == []
    assert db.scalar("select count(*) from forecast_migration.granted_schema_usage") == 0


def test_a_grant_the_dba_adds_to_a_legacy_table_reaches_the_new_tables_on_the_next_build(
    migrated_db,
):
    db = migrated_db
    assert privileges(db, LEGACY_READER_ROLE, "PriceForecast") == {"SELECT"}
    db.execute(f'grant insert on "Forecasts".price_forecasts to {LEGACY_READER_ROLE}')
    db.build()
    for relation in REPLACES["price_forecasts"]:
        assert privileges(db, LEGACY_READER_ROLE, relation) == {"SELECT", "INSERT"}, relation
    assert privileges(db, LEGACY_READER_ROLE, "CurveSchedule") == {"SELECT"}
    instance, price = insert_instance_and_price(db, LEGACY_READER_ROLE)
    assert db.scalar('select curve_instance_id from "PriceForecast" where id = %s', (price,)) == (
        instance
    )


@pytest.fixture
def report_role(admin, migrated_db):
    """A role the DBA creates after the migration, for a report on the new tables."""
    role = f"report_{uuid.uuid4().hex[:8]}"
    admin.execute(f"create role {role} login password 'forecast-test'")
    yield role
    Database(env=admin.env, name=migrated_db.name).execute(f"drop owned by {role}")
    admin.execute(f"drop role {role}")


def test_the_dbas_grants_and_views_on_the_new_relations_survive_re_runs(migrated_db, report_role):
    db = migrated_db
    db.execute(f'grant select, references on "CurveDefinition" to {report_role}')
    db.execute(f"grant select on curve_definitions_compat to {report_role}")
    db.execute(
        "create view public.report_curves as select curve_id, market from curve_definitions_compat"
    )
    db.execute(f"grant select on public.report_curves to {report_role}")
    db.build()
    db.build()
    assert privileges(db, report_role, "CurveDefinition") == {"SELECT", "REFERENCES"}
    assert privileges(db, report_role, "curve_definitions_compat") == {"SELECT"}
    assert db.scalar("select count(*) from public.report_curves", role=report_role) == 72


def test_var_app_role_names_an_extra_role_that_gets_read_write(sample_db):
    db = sample_db
    db.build(vars={"app_role": LEGACY_READER_ROLE})
    assert privileges(db, LEGACY_READER_ROLE, "PriceForecast") == READ_WRITE
    assert privileges(db, LEGACY_READER_ROLE, "curve_definitions_compat") == {"SELECT"}
    insert_instance_and_price(db, LEGACY_READER_ROLE)


def test_in_a_schema_of_its_own_the_roles_get_usage_and_rollback_revokes_it(
    sample_db, cli, monkeypatch
):
    db = sample_db
    monkeypatch.setenv("FORECAST_TARGET_SCHEMA", "forecast")
    db.build()
    granted = sorted(
        row[0] for row in db.query("select grantee from forecast_migration.granted_schema_usage")
    )
    assert granted == [LEGACY_APP_ROLE, LEGACY_READER_ROLE]
    assert db.scalar('select count(*) from forecast."CurveDefinition"', role=LEGACY_APP_ROLE) == 72
    db.build()
    assert db.scalar("select count(*) from forecast_migration.granted_schema_usage") == 2
    result = cli(db, "rollback", "--yes")
    assert result.code == 0, result.err
    for role in (LEGACY_APP_ROLE, LEGACY_READER_ROLE):
        assert not db.scalar("select has_schema_privilege(%s, 'forecast', 'USAGE')", (role,))
