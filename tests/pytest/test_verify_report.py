"""`forecast_migrate.verify`: the Markdown report for the change ticket says what the
database holds. Every number in it is compared with an independent query of the database
here, never with the analyses that produced it."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from forecast_migrate import cli
from helpers import ENUM_TYPES, LEGACY_TABLES, TARGET_TABLES


@pytest.fixture
def point_at(monkeypatch):
    """Point the PG* variables (which verify's dbt reads) at one test database."""

    def point(db) -> None:
        for key, value in db.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("PGDATABASE", db.name)

    return point


def sections(markdown: str) -> dict[str, dict]:
    """`## heading` -> {'text': ..., 'rows': [dict per table row]} of a Markdown report."""
    result: dict[str, dict] = {}
    current = {"text": "", "rows": []}
    result["header"] = current
    header = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = {"text": "", "rows": []}
            result[line[3:]] = current
            header = None
        elif line.startswith("|"):
            cells = [
                cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]
            ]
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-:"):
                current["rows"].append(dict(zip(header, cells, strict=True)))
        else:
            header = None
            current["text"] += line + "\n"
    return result


def section(report: dict[str, dict], prefix: str) -> dict:
    matches = [value for heading, value in report.items() if heading.startswith(prefix)]
    assert len(matches) == 1, (prefix, list(report))
    return matches[0]


def heading(report: dict[str, dict], prefix: str) -> str:
    return next(title for title in report if title.startswith(prefix))


def expand(ranges: str) -> list[int]:
    ids = []
    for part in ranges.split(", "):
        first, _, last = part.partition("-")
        ids += range(int(first), int(last or first) + 1)
    return ids


@pytest.mark.every_version
def test_the_markdown_report_matches_the_database(migrated, point_at, tmp_path):
    db = migrated
    point_at(db)
    output = tmp_path / "verification.md"
    assert cli.main(["verify", "--format", "markdown", "--output", str(output), "--quiet"]) == 0
    report = sections(output.read_text())

    assert "- **result**: PASS" in report["header"]["text"]
    assert f"- **database**: {db.name}" in report["header"]["text"]

    # 1. the new tables exist
    assert heading(report, "1.").endswith("PASS")
    objects = {row["objects"]: row for row in section(report, "1.")["rows"]}
    tables = db.scalar(
        "select count(*) from pg_tables where schemaname = 'public' and tablename = any(%s)",
        (TARGET_TABLES,),
    )
    enums = db.scalar(
        "select count(*) from pg_type where typtype = 'e' and typnamespace = 'public'::regnamespace and typname = any(%s)",
        (ENUM_TYPES,),
    )
    legacy = db.scalar(
        "select count(*) from pg_tables where schemaname = 'Forecasts' and tablename = any(%s)",
        (LEGACY_TABLES,),
    )
    compat = db.scalar(
        "select count(*) from pg_views where schemaname = 'public' and viewname like '%_compat'"
    )
    working_views = db.scalar(
        "select count(*) from pg_views where schemaname = 'forecast_migration'"
    )
    working_tables = db.scalar(
        "select count(*) from pg_tables where schemaname = 'forecast_migration'"
    )
    assert (objects["new table (public)"]["expected"], objects["new table (public)"]["found"]) == (
        "10",
        str(tables),
    )
    assert objects["enum type (public)"]["found"] == str(enums) == "8"
    assert objects["legacy source (Forecasts)"]["found"] == str(legacy) == "3"
    assert objects["compat view (public)"]["found"] == str(compat) == "3"
    working = {
        name: int(row["found"]) for name, row in objects.items() if "(forecast_migration)" in name
    }
    assert sum(working.values()) == working_views + working_tables
    assert working["staging view (forecast_migration)"] == db.scalar(
        "select count(*) from pg_views where schemaname = 'forecast_migration'"
        " and viewname like 'stg\\_%'"
    )
    assert all(row["missing"] == "" for row in objects.values())

    # 2. curves, instances and prices per market and location
    expected = {
        (market, location): (str(curves), str(instances), str(prices))
        for market, location, curves, instances, prices in db.query(
            "select definition.market, definition.location, count(distinct definition.id), count(distinct instance.id), count(price.id) "
            'from "CurveDefinition" as definition left join "CurveInstance" as instance on instance.curve_definition_id = definition.id '
            'left join "PriceForecast" as price on price.curve_instance_id = instance.id group by 1, 2'
        )
    }
    rows = section(report, "2.")["rows"]
    printed = {
        (row["market"], row["location"]): (row["curves"], row["instances"], row["prices"])
        for row in rows
        if row["market"] != "total"
    }
    assert printed == expected
    total = next(row for row in rows if row["market"] == "total")
    assert (total["curves"], total["instances"], total["prices"]) == tuple(
        str(db.scalar(f'select count(*) from "{table}"'))
        for table in ("CurveDefinition", "CurveInstance", "PriceForecast")
    )

    # 3. the compat view: its count, the legacy count, and that they hold the same rows
    assert heading(report, "3.").endswith("PASS")
    counts = {row["relation"]: row["rows"] for row in section(report, "3.")["rows"]}
    assert counts["curve_definitions_compat"] == str(
        db.scalar("select count(*) from curve_definitions_compat")
    )
    assert counts["legacy curve_definitions"] == str(
        db.scalar('select count(*) from "Forecasts".curve_definitions')
    )
    differences = db.scalar(
        'select count(*) from ((select * from "Forecasts".curve_definitions except all select * from curve_definitions_compat) '
        'union all (select * from curve_definitions_compat except all select * from "Forecasts".curve_definitions)) as differing'
    )
    assert differences == 0
    assert "equal in all columns: yes" in section(report, "3.")["text"]

    # 4. schedules per frequency
    expected = {
        frequency: (str(schedules), str(from_legacy), str(from_default))
        for frequency, schedules, from_legacy, from_default in db.query(
            "select frequency::text, count(*), "
            "count(*) filter (where metadata ->> 'legacyScheduleId' is not null and metadata ->> 'origin' = 'legacy_schedule'), "
            "count(*) filter (where metadata ->> 'origin' <> 'legacy_schedule') "
            'from "CurveSchedule" group by 1'
        )
    }
    rows = section(report, "4.")["rows"]
    printed = {
        row["frequency"]: (row["schedules"], row["from legacy schedule"], row["from default rule"])
        for row in rows
        if row["frequency"] != "total"
    }
    assert printed == expected
    assert sum(int(row["schedules"]) for row in rows if row["frequency"] != "total") == db.scalar(
        'select count(*) from "CurveSchedule"'
    )

    # 5. reconciliation: legacy = migrated + exceptions, counted independently
    assert heading(report, "5.").endswith("PASS")
    exceptions = dict(
        db.query(
            "select source_table, count(*) from forecast_migration.migration_exceptions group by 1"
        )
    )
    legacy_rows = {
        table: db.scalar(f'select count(*) from "Forecasts".{table}') for table in LEGACY_TABLES
    }
    migrated_rows = {
        "curve_definitions": db.scalar(
            'select count(*) from "CurveDefinition" as definition where exists (select 1 from "Forecasts".curve_definitions as curve where curve.curve_id = definition.id)'
        ),
        "price_forecasts": db.scalar(
            'select count(*) from "PriceForecast" as price where exists (select 1 from "Forecasts".price_forecasts as legacy where legacy.id = price.id)'
        ),
        "curve_schedule": db.scalar(
            'select count(*) from "Forecasts".curve_schedule as schedule where exists (select 1 from "CurveSchedule" cs '
            "where (cs.metadata ->> 'legacyScheduleId')::int = schedule.schedule_id and cs.metadata ->> 'origin' = 'legacy_schedule')"
        ),
    }
    rows = {row["legacy table"]: row for row in section(report, "5.")["rows"]}
    for table in LEGACY_TABLES:
        row = rows[table]
        assert row["legacy rows"] == str(legacy_rows[table]), table
        assert row["migrated rows"] == str(migrated_rows[table]), table
        assert row["exception rows"] == str(exceptions.get(table, 0)), table
        assert legacy_rows[table] == migrated_rows[table] + exceptions.get(table, 0), table
        assert row["unaccounted rows"] == "0"
    assert rows["curve_schedule"]["target rows"] == str(
        db.scalar('select count(*) from "CurveSchedule"')
    )
    assert (
        f"Curves migrated: {migrated_rows['curve_definitions']} of 72 expected"
        in section(report, "5.")["text"]
    )

    # 6. every exception row, grouped by reason, with its legacy ids
    listed = defaultdict(list)
    for source_table, reason, source_id in db.query(
        "select source_table, reason, source_id from forecast_migration.migration_exceptions"
    ):
        listed[(source_table, reason)].append(source_id)
    rows = section(report, "6.")["rows"]
    printed = {
        (row["legacy table"], row["reason"]): (
            int(row["exception rows"]),
            expand(row["legacy ids"]),
        )
        for row in rows
    }
    assert printed == {key: (len(ids), sorted(ids)) for key, ids in listed.items()}
    assert heading(report, "6.").startswith(
        f"6. Exceptions: {sum(map(len, listed.values()))} legacy rows"
    )

    # 7. the data tests, singular ones by name
    assert heading(report, "7.").startswith("7. Data tests on the new tables: PASS")
    checks = {row["check"]: row["result"] for row in section(report, "7.")["rows"]}
    assert checks["assert_compat_views_match_legacy"] == "pass"
    assert checks["assert_price_rows_match_legacy"] == "pass"


def test_a_lost_price_row_fails_the_verification_and_the_report_says_where(
    migrated_db, point_at, tmp_path, capsys
):
    db = migrated_db
    lost = db.scalar('select min(id) from "PriceForecast"')
    db.execute('delete from "PriceForecast" where id = %s', (lost,))
    point_at(db)
    output = tmp_path / "verification.txt"
    assert cli.main(["verify", "--output", str(output), "--quiet"]) == 1
    assert "error: verification failed: reconciliation; data tests" in capsys.readouterr().err
    text = output.read_text()
    assert re.search(r"^  result:\s+FAIL$", text, re.MULTILINE)
    assert "5. Reconciliation: FAIL" in text
    prices = next(
        line
        for line in text.splitlines()
        if line.strip().startswith("price_forecasts") and "PriceForecast" in line
    )
    legacy, migrated, excepted, unaccounted = (int(value) for value in prices.split()[1:5])
    assert (legacy - migrated - excepted, unaccounted) == (1, 1)
    assert "assert_price_rows_match_legacy: fail" in text


def test_an_unreachable_database_is_a_usage_error(point_at, migrated, monkeypatch, capsys):
    point_at(migrated)
    monkeypatch.setenv("PGHOST", "/nonexistent-socket-dir")
    assert cli.main(["verify", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
