"""Runbook Step 1 as source tests: a legacy database the migration cannot handle stops
`dbt build` before anything is written, with a message that says what is wrong."""

from __future__ import annotations

import re

import pytest
from helpers import legacy_checksums, node_results, target_objects


def build_fails_and_writes_nothing(db, vars=None) -> list[str]:
    """Run `dbt build` in-process, assert it failed, that no table, view or type of the
    migration exists afterwards and the legacy tables are unchanged; return the
    `readiness: ...` lines dbt logged (test_dbt_test_says_every_blocker_in_words_too reads
    them from the console script's output)."""
    legacy_before = legacy_checksums(db)
    objects_before = target_objects(db)
    logged: list[str] = []

    def collect(event) -> None:
        if event.info.name == "JinjaLogInfo" and event.data.msg.startswith("readiness: "):
            logged.append(event.data.msg)

    result = db.dbt("build", vars=vars, callbacks=[collect])
    assert not result.success, "dbt build passed"
    written = [obj for obj in target_objects(db) if obj not in objects_before]
    # seeds may load (they are reference data of the migration schema); nothing else may
    seeds = {"market_timezones", "update_frequency_spellings", "product_defaults"}
    assert [
        obj for obj in written if obj[2] not in seeds and not obj[2].startswith("pg_toast")
    ] == []
    assert legacy_checksums(db) == legacy_before
    return logged


def readiness_lines(output: str) -> list[str]:
    return re.findall(r"^\S+\s+(readiness: .*)$", output, flags=re.MULTILINE)


@pytest.mark.every_version
def test_readiness_passes_on_the_sample_database_with_warnings_for_its_dirt(sample_db):
    result = sample_db.dbt("test", "--select", "source:*")
    assert result.success
    statuses = node_results(result)
    warned = {name for name, (status, _) in statuses.items() if status == "warn"}
    assert any("derived_name_collisions" in name for name in warned)
    assert any("unmigratable_price_rows" in name for name in warned)
    assert any(
        name.startswith("source_not_null_legacy_curve_definitions_market") for name in warned
    )


def test_a_wrong_curve_count_stops_the_build_naming_expected_and_found(sample_db):
    lines = build_fails_and_writes_nothing(sample_db, vars={"expected_curve_count": 70})
    assert lines == [
        "readiness: expected 70 curve_definitions, found 72 (var expected_curve_count)"
    ]


@pytest.mark.parametrize("table", ["curve_schedule", "price_forecasts", "curve_definitions"])
def test_a_missing_legacy_table_stops_the_build(sample_db, table):
    sample_db.execute(f'drop table "Forecasts"."{table}" cascade')
    lines = build_fails_and_writes_nothing(sample_db)
    assert (
        f'readiness: "Forecasts"."{table}" is missing: the migration reads it '
        "(var legacy_schema names the schema)"
    ) in lines


@pytest.mark.every_version
def test_a_missing_legacy_column_stops_the_build(sample_db):
    sample_db.execute('alter table "Forecasts".price_forecasts drop column mark_date')
    lines = build_fails_and_writes_nothing(sample_db)
    assert len(lines) == 1
    assert lines[0].startswith('readiness: "Forecasts"."price_forecasts" has no column mark_date')


@pytest.mark.every_version
def test_a_legacy_table_unlike_its_declaration_stops_the_build(sample_db):
    # the compat views are compiled from the columns _legacy__sources.yml declares: another
    # type, an undeclared column or another order would change what an old query gets back
    sample_db.execute('alter table "Forecasts".price_forecasts alter column value type real')
    sample_db.execute('alter table "Forecasts".curve_schedule add column note text')
    sample_db.execute('alter table "Forecasts".curve_definitions drop column gridstor_purpose')
    sample_db.execute(
        'alter table "Forecasts".curve_definitions add column gridstor_purpose varchar'
    )
    lines = build_fails_and_writes_nothing(sample_db)
    declared = "(models/staging/legacy/_legacy__sources.yml"
    assert (
        'readiness: "Forecasts"."price_forecasts".value is real, declared double precision '
        f"{declared}): the compat view returns the declared type; declare the type the table has"
    ) in lines
    assert (
        'readiness: "Forecasts"."curve_schedule" has a column note '
        f"{declared} does not declare it): the compat view would not return it; declare it "
        "there, with its data_type"
    ) in lines
    assert (
        'readiness: "Forecasts"."curve_definitions".gridstor_purpose is column 16 of the '
        f"table, declared as column 11 {declared}): the compat view returns the declared "
        "order; declare the order the table has"
    ) in lines
    # the four columns declared after gridstor_purpose moved up one place each
    assert len(lines) == 2 + 1 + 5


def test_a_duplicate_legacy_curve_id_stops_the_build(sample_db):
    sample_db.execute(
        'alter table "Forecasts".price_forecasts drop constraint price_forecasts_curve_id_fkey'
    )
    sample_db.execute(
        'alter table "Forecasts".curve_schedule drop constraint curve_schedule_curve_id_fkey'
    )
    sample_db.execute(
        'alter table "Forecasts".curve_definitions drop constraint curve_definitions_pkey'
    )
    sample_db.execute(
        "insert into \"Forecasts\".curve_definitions (curve_id, market) values (1, 'CAISO')"
    )
    lines = build_fails_and_writes_nothing(sample_db, vars={"expected_curve_count": 73})
    assert lines == [
        'readiness: "Forecasts"."curve_definitions".curve_id must be unique and not NULL (legacy '
        "ids become the new ids): 1 value(s) appear more than once, 0 row(s) are NULL"
    ]


def test_a_server_older_than_the_minimum_is_refused(sample_db):
    lines = build_fails_and_writes_nothing(sample_db, vars={"minimum_server_version_num": 990000})
    version = sample_db.scalar("show server_version")
    assert lines == [
        f"readiness: PostgreSQL {version} is older than the oldest supported, "
        "server_version_num 990000 (var minimum_server_version_num)"
    ]


def test_a_missing_extra_role_stops_the_build(sample_db):
    lines = build_fails_and_writes_nothing(sample_db, vars={"app_role": "no_such_role"})
    assert lines == [
        "readiness: role no_such_role (var app_role) does not exist: create it, or leave "
        "app_role empty"
    ]


def test_dbt_test_says_every_blocker_in_words_too(sample_db):
    sample_db.execute('drop table "Forecasts".curve_schedule cascade')
    process = sample_db.dbt_cli(
        "test",
        "--select",
        "source:*",
        vars={"expected_curve_count": 71, "app_role": "nobody"},
    )
    assert process.returncode == 1
    assert sorted(readiness_lines(process.stdout)) == [
        'readiness: "Forecasts"."curve_schedule" is missing: the migration reads it '
        "(var legacy_schema names the schema)",
        "readiness: expected 71 curve_definitions, found 72 (var expected_curve_count)",
        "readiness: role nobody (var app_role) does not exist: create it, or leave app_role empty",
    ]


@pytest.mark.every_version
def test_the_legacy_key_test_trusts_only_a_unique_index_on_exactly_that_column(sample_db):
    # a partial unique index does not guarantee the column: the test reads the rows
    sample_db.execute(
        'alter table "Forecasts".price_forecasts drop constraint price_forecasts_pkey'
    )
    sample_db.execute(
        'create unique index partial_id on "Forecasts".price_forecasts (id) where id > 0'
    )
    sample_db.execute(
        'insert into "Forecasts".price_forecasts (id, curve_id, flow_date_start, value) '
        "values (-1, 1, '2025-01-01', 1), (-1, 1, '2025-01-01 01:00', 2)"
    )
    selector = "source:legacy.price_forecasts,test_name:legacy_key"
    results = node_results(sample_db.dbt("test", "--select", selector))
    assert results["source_legacy_key_legacy_price_forecasts_id"][0] == "fail"
    # nor does an index left invalid by a failed CREATE UNIQUE INDEX CONCURRENTLY
    sample_db.execute('drop index "Forecasts".partial_id')
    with pytest.raises(Exception, match="could not create unique index"):
        sample_db.execute(
            'create unique index concurrently bad_id on "Forecasts".price_forecasts (id)'
        )
    assert (
        sample_db.scalar(
            "select indisvalid from pg_index where indexrelid = '\"Forecasts\".bad_id'::regclass"
        )
        is False
    )
    results = node_results(sample_db.dbt("test", "--select", selector))
    assert results["source_legacy_key_legacy_price_forecasts_id"][0] == "fail"


@pytest.mark.every_version
def test_the_legacy_key_test_reads_no_row_when_a_valid_unique_index_holds_the_key(sample_db):
    """Its compiled SQL gates the scan behind the catalog lookup: PostgreSQL never runs it."""
    selector = "source:legacy.price_forecasts,test_name:legacy_key"
    compiled = sample_db.dbt("compile", "--select", selector).result.results[0].node.compiled_code
    plan = sample_db.scalar(f"explain (analyze, format json) {compiled}")[0]["Plan"]

    def scans(node):
        if node.get("Relation Name") == "price_forecasts":
            yield node
        for child in node.get("Plans", []):
            yield from scans(child)

    found = list(scans(plan))
    assert found and all(node["Actual Loops"] == 0 for node in found), plan
    # without the index the same SQL reads the rows
    sample_db.execute(
        'alter table "Forecasts".price_forecasts drop constraint price_forecasts_pkey'
    )
    plan = sample_db.scalar(f"explain (analyze, format json) {compiled}")[0]["Plan"]
    assert any(node["Actual Loops"] > 0 for node in scans(plan)), plan


def test_a_null_legacy_id_stops_the_build_even_beside_a_unique_index(sample_db):
    """A unique index allows any number of NULLs: the key is trusted only with a validated
    NOT NULL, so here the rows are read and the NULL is named."""
    sample_db.execute(
        'alter table "Forecasts".price_forecasts drop constraint price_forecasts_pkey'
    )
    sample_db.execute('alter table "Forecasts".price_forecasts alter column id drop not null')
    sample_db.execute('create unique index unique_id on "Forecasts".price_forecasts (id)')
    sample_db.execute(
        'insert into "Forecasts".price_forecasts (id, curve_id, flow_date_start, value) '
        "values (null, 1, '2025-01-01', 1)"
    )
    expected = (
        'readiness: "Forecasts"."price_forecasts".id must be unique and not NULL (legacy ids '
        "become the new ids): 0 value(s) appear more than once, 1 row(s) are NULL"
    )
    assert build_fails_and_writes_nothing(sample_db) == [expected]
    if sample_db.scalar("select current_setting('server_version_num')::integer") >= 180000:
        # PostgreSQL 18 sets attnotnull for a NOT NULL constraint added NOT VALID, unchecked
        sample_db.execute(
            'alter table "Forecasts".price_forecasts add constraint id_not_null not null id not valid'
        )
        assert build_fails_and_writes_nothing(sample_db) == [expected]
