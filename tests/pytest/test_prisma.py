"""Runbook Steps 5 and 6 with the real Prisma 7 toolchain (node_modules from `npm ci`).

Step 5: Prisma accepts prisma/schema.new.prisma, and as Prisma reads it (its DMMF) every
model, field, key, relation and enum matches the catalog of a migrated database.
Step 6: the client generated from it, connected as the application's role through
@prisma/adapter-pg, lists the 72 curves as /curve-schedule does, creates a curve instance
through the API's transaction, updates a schedule and reads curve_definitions_compat;
each result is checked against the database with SQL.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import prisma_compare
import pytest
from conftest import ARTIFACTS, LEGACY_APP_ROLE, ROLE_PASSWORD
from forecast_migrate import PROJECT_DIR
from helpers import ENUM_TYPES, TARGET_TABLES

# one worker runs this module, so its module fixtures (the client, the DMMF) are made once
pytestmark = pytest.mark.xdist_group("prisma")

# the role the old application uses on the legacy tables, which the migration gives the same
# privileges on the new ones (the runbook keeps the application's DATABASE_URL)
APPLICATION_ROLE = LEGACY_APP_ROLE
STEP6_SCRIPT = PROJECT_DIR / "tests" / "prisma" / "runbook_step6.cjs"
# each pytest process generates its own client: CI runs three majors' processes at once, and
# node read a client that another `prisma generate` was rewriting (CI, 2026-12-05 to 12-07);
# it stays under the project, where node finds node_modules/@prisma/client
CLIENT_DIR = ARTIFACTS / "prisma-client"
# Prisma has no optional lists: the one column it cannot describe exactly
KNOWN_NOTES = [
    'PriceForecast.flags ("PriceForecast".flags): the column is nullable; '
    "Prisma reads NULL as [] (no optional lists)"
]


@pytest.fixture(scope="module")
def prisma_client() -> Path:
    """`prisma generate` of the checked-in schema, as Step 5 runs it, into CLIENT_DIR."""
    schema_text = prisma_compare.SCHEMA_FILE.read_text()
    assert '"../generated/prisma"' in schema_text
    schema = ARTIFACTS / "schema.prisma"
    schema.parent.mkdir(parents=True, exist_ok=True)
    schema.write_text(schema_text.replace('"../generated/prisma"', json.dumps(str(CLIENT_DIR))))
    prisma_compare.run_prisma("generate", "--schema", str(schema))
    assert (CLIENT_DIR / "index.js").exists()
    return CLIENT_DIR


@pytest.fixture(scope="module")
def datamodel() -> dict[str, Any]:
    """The checked-in schema as Prisma reads it (the DMMF its generators receive)."""
    return prisma_compare.describe(prisma_compare.SCHEMA_FILE.read_text())


@pytest.fixture(scope="module")
def catalog(migrated) -> prisma_compare.Catalog:
    """pg_catalog's description of the migrated tables (schema public)."""
    connection = migrated.connect()
    try:
        return prisma_compare.read_catalog(connection, "public")
    finally:
        connection.close()


def database_url(db, role: str = APPLICATION_ROLE, password: str = ROLE_PASSWORD) -> str:
    """A node-postgres connection string for `db`; a socket directory goes in `?host=`."""
    host, port = db.env["PGHOST"], db.env["PGPORT"]
    credentials = f"{quote(role, safe='')}:{quote(password, safe='')}"
    if host.startswith("/"):
        return f"postgresql://{credentials}@localhost:{port}/{quote(db.name)}?host={quote(host)}"
    return f"postgresql://{credentials}@{host}:{port}/{quote(db.name)}"


def step6(db, operation: str, arguments: dict | None = None, expect_error: bool = False) -> Any:
    """Run one operation of tests/prisma/runbook_step6.cjs against `db`; return its JSON."""
    command = [shutil.which("node") or "node", str(STEP6_SCRIPT), operation]
    if arguments is not None:
        command.append(json.dumps(arguments))

    completed = subprocess.run(
        command,
        env={**os.environ, "DATABASE_URL": database_url(db), "PRISMA_CLIENT_DIR": str(CLIENT_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    expected_code = 3 if expect_error else 0
    # the end of stderr holds node's message (its start may be a 64 kB line of source)
    assert completed.returncode == expected_code, (completed.stderr or completed.stdout)[-3000:]
    return json.loads(completed.stdout)


def iso(value: datetime.datetime | None) -> str | None:
    """A timestamp as the client returns it: UTC, milliseconds (a JavaScript Date)."""
    if value is None:
        return None
    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value.isoformat(timespec="milliseconds") + "Z"


def edit_line(schema_text: str, block: str, first_word: str, old: str, new: str) -> str:
    """`schema_text` with `old` replaced by `new` on the line of `block` (e.g. `model
    PriceForecast`) that starts with `first_word`."""
    lines = schema_text.splitlines(keepends=True)
    inside = False
    for index, line in enumerate(lines):
        if line.startswith(block + " {"):
            inside = True
        elif inside and line.startswith("}"):
            break
        elif inside and line.split()[:1] == [first_word] and old in line:
            lines[index] = line.replace(old, new, 1)
            return "".join(lines)
    raise AssertionError(f"no line {first_word!r} with {old!r} in {block}")


# --- Step 5: the schema file ---------------------------------------------------------------


def test_prisma_accepts_the_schema_as_it_formats_it(tmp_path):
    prisma_compare.run_prisma("validate", "--schema", str(prisma_compare.SCHEMA_FILE))
    formatted = tmp_path / "schema.prisma"
    shutil.copyfile(prisma_compare.SCHEMA_FILE, formatted)
    prisma_compare.run_prisma("format", "--schema", str(formatted))
    assert formatted.read_text() == prisma_compare.SCHEMA_FILE.read_text()


@pytest.mark.every_version
def test_the_schema_matches_the_migrated_database_column_by_column(migrated, catalog, datamodel):
    result = prisma_compare.compare(datamodel, catalog)

    assert result.differences == []
    assert result.notes == KNOWN_NOTES
    assert sorted(model["name"] for model in datamodel["models"]) == sorted(TARGET_TABLES)
    assert sorted(enum["name"] for enum in datamodel["enums"]) == sorted(ENUM_TYPES)
    # every column and foreign key of the ten tables was compared, counted independently
    assert result.fields_compared == migrated.scalar(
        "select count(*) from information_schema.columns "
        "where table_schema = 'public' and table_name = any(%s)",
        (TARGET_TABLES,),
    )
    assert result.relations_compared == migrated.scalar(
        "select count(*) from pg_constraint where contype = 'f' and conrelid = any("
        "select oid from pg_class where relnamespace = 'public'::regnamespace "
        "and relname = any(%s))",
        (TARGET_TABLES,),
    )


# Mismatches the Prisma Client would not report (it truncates, returns null, or simply
# behaves differently); each hand edit of the schema must be a difference.
@pytest.mark.parametrize(
    ("block", "first_word", "old", "new", "expected"),
    [
        ("model PriceForecast", "value", "Float         @db.DoublePrecision", "Int", 'PriceForecast.value ("PriceForecast".value): type: Prisma Int is int4, the column is float8'),
        ("model CurveDefinition", "description", "String?", "String ", 'CurveDefinition.description ("CurveDefinition".description): nullability: Prisma required, the column is nullable'),
        ("model CurveInstance", "freshnessEndDate", "DateTime?", "DateTime ", 'CurveInstance.freshnessEndDate ("CurveInstance".freshnessEndDate): nullability: Prisma required'),
        ("model PriceForecast", "timestamp", " @db.Timestamp(6)", "", 'PriceForecast.timestamp ("PriceForecast".timestamp): type: Prisma DateTime is timestamp(3), the column is timestamp(6)'),
        ("model CurveSchedule", "freshnessHours", "@default(720)", "@default(24)", "CurveSchedule.freshnessHours (\"CurveSchedule\".freshnessHours): default: Prisma 24.0, the column 720.0"),
        ("model PriceForecast", "curveInstance", "onDelete: Cascade", "onDelete: NoAction", 'PriceForecast: (curve_instance_id) -> "CurveInstance" (id): Prisma onDelete NoAction, onUpdate NoAction; the foreign key ON DELETE Cascade'),
        ("model ScheduleRun", "scheduleId", ' @map("schedule_id")', "", 'ScheduleRun ("ScheduleRun".schedule_id): a column Prisma does not declare'),
        ("model CurveDefinition", "curveName", "@unique ", "", "CurveDefinition: the table has unique index (curveName), Prisma does not declare it"),
        ("enum RunStatus", "PARTIAL", "PARTIAL", "PARTLY", "enum RunStatus: Prisma ["),
    ],
    ids=["float-as-int", "nullable-as-required", "nullable-timestamp-as-required", "timestamp-precision", "default", "on-delete", "unmapped-column", "unique", "enum-label"],
)  # fmt: skip
def test_the_comparison_catches_what_the_client_would_hide(
    catalog, block, first_word, old, new, expected
):
    broken = edit_line(prisma_compare.SCHEMA_FILE.read_text(), block, first_word, old, new)
    result = prisma_compare.compare(prisma_compare.describe(broken), catalog)
    assert [difference for difference in result.differences if expected in difference], (
        result.differences
    )


# --- Step 6: the application, through the generated client -----------------------------------


def test_curve_schedule_lists_the_72_curves_with_instances_and_schedules(migrated, prisma_client):
    curves = step6(migrated, "list-curves")

    assert len(curves) == 72
    assert [
        (curve["id"], curve["curveName"], curve["market"], curve["location"], curve["product"], curve["granularity"], curve["timezone"], curve["isActive"])
        for curve in curves
    ] == migrated.query(
        'select id, "curveName", market, location, product, granularity, timezone, "isActive" '
        'from "CurveDefinition" order by "curveName"'
    )  # fmt: skip

    schedules: dict[int, list[tuple]] = {}
    for row in migrated.query(
        'select curve_definition_id, id, "scheduleType"::text, frequency::text, "dayOfWeek", '
        '"dayOfMonth", "timeOfDay", "freshnessHours", "responsibleTeam" from "CurveSchedule" '
        'where "isActive" order by id'
    ):
        schedules.setdefault(row[0], []).append(row[1:])
    instances: dict[int, list[tuple]] = {}
    for row in migrated.query(
        'select instance.curve_definition_id, instance.id, instance."instanceVersion", '
        'instance.status::text, instance."runType"::text, instance."forecastRunDate", '
        'instance."freshnessEndDate", count(price.id) from "CurveInstance" as instance '
        'left join "PriceForecast" as price on price.curve_instance_id = instance.id '
        'group by instance.id order by instance."forecastRunDate" desc, instance.id desc'
    ):
        instances.setdefault(row[0], []).append((*row[1:5], iso(row[5]), iso(row[6]), row[7]))
    for curve in curves:
        assert [tuple(schedule.values()) for schedule in curve["curveSchedules"]] == schedules[
            curve["id"]
        ]
        assert len(curve["curveSchedules"]) == 1, curve["curveName"]
        assert [
            (instance["id"], instance["instanceVersion"], instance["status"], instance["runType"], instance["forecastRunDate"], instance["freshnessEndDate"], instance["_count"]["priceForecasts"])
            for instance in curve["curveInstances"]
        ] == instances.get(curve["id"], [])  # fmt: skip
    prices = sum(
        instance["_count"]["priceForecasts"]
        for curve in curves
        for instance in curve["curveInstances"]
    )
    assert prices == migrated.scalar('select count(*) from "PriceForecast"') == 20131


def _instance_request(db, prices: list[dict]) -> dict:
    curve_name = db.scalar(
        'select "curveName" from "CurveDefinition" as curve where exists (select from '
        '"CurveInstance" where curve_definition_id = curve.id) order by id limit 1'
    )
    return {
        "curveName": curve_name,
        "requestId": f"api-{uuid.uuid4()}",
        "createdBy": "api-test",
        "runDate": "2026-01-05T06:00:00.000Z",
        "prices": prices,
    }


API_PRICES = [
    {"timestamp": "2026-01-06T00:00:00.000Z", "value": 51.02771234567891},
    {
        "timestamp": "2026-01-06T01:00:00.000Z",
        "value": -12.5,
        "confidence": 0.8,
        "valueHigh": -10.25,
        "valueLow": -14.75,
        "flags": ["api"],
    },
]


def test_the_api_creates_an_instance_with_prices_and_lineage(migrated_db, prisma_client):
    db = migrated_db
    request = _instance_request(db, API_PRICES)
    curve_id, previous_id, previous_version = db.query(
        'select curve.id, instance.id, instance."instanceVersion" from "CurveDefinition" as curve '
        'inner join "CurveInstance" as instance on instance.curve_definition_id = curve.id '
        'where curve."curveName" = %s order by instance."instanceVersion" desc limit 1',
        (request["curveName"],),
    )[0]
    highest_price_id = db.scalar('select max(id) from "PriceForecast"')

    result = step6(db, "create-instance", request)

    instance = result["instance"]
    assert (result["curveId"], result["previousInstanceId"]) == (curve_id, previous_id)
    assert instance["curveDefinitionId"] == curve_id
    assert instance["instanceVersion"] == previous_version + 1
    assert (instance["status"], instance["runType"], instance["createdBy"]) == (
        "DRAFT",
        "MANUAL",
        "api-test",
    )
    assert instance["createdAt"] and instance["updatedAt"]
    assert [
        (price["curveInstanceId"], price["timestamp"], price["value"], price["confidence"], price["valueHigh"], price["valueLow"], price["flags"])
        for price in instance["priceForecasts"]
    ] == [
        (instance["id"], "2026-01-06T00:00:00.000Z", 51.02771234567891, None, None, None, []),
        (instance["id"], "2026-01-06T01:00:00.000Z", -12.5, 0.8, -10.25, -14.75, ["api"]),
    ]  # fmt: skip
    assert all(price["id"] > highest_price_id for price in instance["priceForecasts"])
    (lineage,) = instance["curveInputLineages"]
    assert (lineage["curveInstanceId"], lineage["inputType"], lineage["usageType"], lineage["inputIdentifier"]) == (
        instance["id"], "WEATHER_FORECAST", "PRIMARY", request["requestId"]
    )  # fmt: skip
    history = result["history"]
    assert (history["curveInstanceId"], history["previousInstanceId"], history["changeType"]) == (
        instance["id"], previous_id, "UPDATE"
    )  # fmt: skip

    # the database, read independently
    assert db.query(
        'select curve_definition_id, "instanceVersion", status::text, "runType"::text, '
        '"createdBy", "deliveryPeriodStart", "deliveryPeriodEnd", "forecastRunDate", '
        "metadata from \"CurveInstance\" where id = %s",
        (instance["id"],),
    ) == [
        (
            curve_id, previous_version + 1, "DRAFT", "MANUAL", "api-test",
            datetime.datetime(2026, 1, 6, 0), datetime.datetime(2026, 1, 6, 1),
            datetime.datetime(2026, 1, 5, 6),
            {"source": "api", "request": request["requestId"]},
        )
    ]  # fmt: skip
    assert db.query(
        'select id, "timestamp", value, confidence, "valueHigh", "valueLow", flags '
        'from "PriceForecast" where curve_instance_id = %s order by "timestamp"',
        (instance["id"],),
    ) == [
        (instance["priceForecasts"][0]["id"], datetime.datetime(2026, 1, 6, 0), 51.02771234567891, None, None, None, None),
        (instance["priceForecasts"][1]["id"], datetime.datetime(2026, 1, 6, 1), -12.5, 0.8, -10.25, -14.75, ["api"]),
    ]  # fmt: skip
    assert db.query(
        'select id, "inputType"::text, "usageType"::text, "inputSource", "inputIdentifier", '
        'weight from "CurveInputLineage" where curve_instance_id = %s',
        (instance["id"],),
    ) == [(lineage["id"], "WEATHER_FORECAST", "PRIMARY", "noaa-gfs", request["requestId"], 1.0)]
    assert db.query(
        'select curve_instance_id, previous_instance_id, "changeType"::text, "changedBy" '
        'from "VersionHistory" where id = %s',
        (history["id"],),
    ) == [(instance["id"], previous_id, "UPDATE", "api-test")]


def test_a_failing_api_transaction_leaves_nothing(migrated_db, prisma_client):
    db = migrated_db
    # two prices for the same hour break the unique (curve_instance_id, timestamp) index
    request = _instance_request(db, [API_PRICES[0], API_PRICES[0]])
    tables = ["CurveInstance", "PriceForecast", "CurveInputLineage", "VersionHistory"]
    counts = {table: db.scalar(f'select count(*) from "{table}"') for table in tables}

    result = step6(db, "create-instance", request, expect_error=True)

    assert result["error"]["code"] == "P2002"
    assert {table: db.scalar(f'select count(*) from "{table}"') for table in tables} == counts
    assert (
        db.scalar('select count(*) from "CurveInstance" where "createdBy" = %s', ("api-test",)) == 0
    )


def test_a_schedule_update_and_its_run(migrated_db, prisma_client):
    db = migrated_db
    schedule_id, updated_at = db.query(
        'select id, "updatedAt" from "CurveSchedule" where "isActive" order by id limit 1'
    )[0]
    others = db.query('select * from "CurveSchedule" where id <> %s order by id', (schedule_id,))
    change = {
        "frequency": "WEEKLY",
        "dayOfWeek": 1,
        "timeOfDay": "07:30",
        "freshnessHours": 168,
        "responsibleTeam": "Trading Desk",
        "validFrom": "2026-02-02T00:00:00.000Z",
    }

    result = step6(
        db,
        "update-schedule",
        {"scheduleId": schedule_id, "data": change, "scheduledFor": "2026-02-02T07:30:00.000Z"},
    )

    schedule, run = result["schedule"], result["run"]
    assert {key: schedule[key] for key in change} == change
    assert schedule["updatedAt"] > iso(updated_at)
    assert (run["scheduleId"], run["status"], run["instancesCreated"]) == (
        schedule_id,
        "COMPLETED",
        1,
    )
    assert db.query(
        'select frequency::text, "dayOfWeek", "timeOfDay", "freshnessHours", "responsibleTeam", '
        '"validFrom", "updatedAt" > %s from "CurveSchedule" where id = %s',
        (updated_at, schedule_id),
    ) == [("WEEKLY", 1, "07:30", 168, "Trading Desk", datetime.datetime(2026, 2, 2), True)]
    assert (
        db.query('select * from "CurveSchedule" where id <> %s order by id', (schedule_id,))
        == others
    )
    assert db.query(
        'select id, schedule_id, "scheduledFor", status::text, "instancesCreated" from "ScheduleRun"'
    ) == [(run["id"], schedule_id, datetime.datetime(2026, 2, 2, 7, 30), "COMPLETED", 1)]

    # the database's check (which Prisma cannot declare) still refuses a day 7
    refused = step6(
        db,
        "update-schedule",
        {"scheduleId": schedule_id, "data": {"dayOfWeek": 7}, "scheduledFor": "2026-02-09T07:30:00.000Z"},
        expect_error=True,
    )  # fmt: skip
    assert "dayOfWeek" in refused["error"]["message"]
    assert db.scalar('select "dayOfWeek" from "CurveSchedule" where id = %s', (schedule_id,)) == 1


def test_old_curve_queries_read_the_compat_view_through_query_raw(migrated, prisma_client):
    rows = step6(migrated, "read-compat")

    legacy = migrated.connect()
    try:
        with legacy.cursor() as cursor:
            cursor.execute('select * from "Forecasts".curve_definitions order by curve_id')
            names = [column.name for column in cursor.description]
            expected = [
                {
                    name: iso(value) if isinstance(value, datetime.datetime) else value
                    for name, value in zip(names, row, strict=True)
                }
                for row in cursor.fetchall()
            ]
    finally:
        legacy.close()
    assert len(rows) == 72
    assert [list(row) for row in rows] == [names] * 72
    assert rows == expected


def test_a_null_flags_column_reads_as_an_empty_list(migrated, prisma_client):
    with_flags = migrated.scalar('select min(id) from "PriceForecast" where flags is not null')
    without = migrated.scalar('select min(id) from "PriceForecast" where flags is null')

    prices = step6(migrated, "read-prices", {"ids": [with_flags, without]})

    expected = migrated.query(
        'select id, value, flags from "PriceForecast" where id = any(%s) order by id',
        ([with_flags, without],),
    )
    assert [(price["id"], price["value"], price["flags"]) for price in prices] == [
        (id_, value, flags if flags is not None else []) for id_, value, flags in expected
    ]
    assert None in [flags for _, _, flags in expected]
