"""A clean migration of the SAMPLE legacy database, and each kind of dirt it contains.

Expected values are computed here from the legacy rows by an independent Python
implementation of the documented rules, never copied from the models' output."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from forecast_migrate import PROJECT_DIR
from helpers import ENUM_TYPES, TARGET_TABLES, legacy_checksums

pytestmark = pytest.mark.every_version

SEEDS = Path(PROJECT_DIR) / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def legacy_curves(db) -> list[dict]:
    columns = [
        "curve_id", "mark_type", "market", "location", "created_at", "mark_date",
    ]  # fmt: skip
    rows = db.query(f'select {", ".join(columns)} from "Forecasts".curve_definitions')
    return [dict(zip(columns, row, strict=True)) for row in rows]


def expected_curve_names(curves: list[dict]) -> dict[int, str]:
    """The documented rule: each base name goes to the earliest curve (created_at, NULL
    last, then curve_id) deriving it; the others, in that order, take the first free
    _V2, _V3, ..."""

    def part(value):
        value = (value or "").strip()
        return re.sub(r"\s+", "_", value) if value else "UNKNOWN"

    base = {
        curve["curve_id"]: "_".join(
            part(curve[column]) for column in ("market", "mark_type", "location")
        ).upper()
        for curve in curves
    }
    ordered = sorted(
        curves, key=lambda c: (c["created_at"] is None, c["created_at"] or 0, c["curve_id"])
    )
    names: dict[int, str] = {}
    for curve in ordered:
        if base[curve["curve_id"]] not in names.values():
            names[curve["curve_id"]] = base[curve["curve_id"]]
    for curve in ordered:
        if curve["curve_id"] not in names:
            suffix = 2
            while f"{base[curve['curve_id']]}_V{suffix}" in names.values():
                suffix += 1
            names[curve["curve_id"]] = f"{base[curve['curve_id']]}_V{suffix}"
    return names


def test_build_creates_every_table_type_and_the_compat_view(migrated):
    tables = {
        row[0]
        for row in migrated.query("select tablename from pg_tables where schemaname = 'public'")
    }
    assert set(TARGET_TABLES) <= tables
    types = {row[0] for row in migrated.query("select typname from pg_type where typtype = 'e'")}
    assert set(ENUM_TYPES) <= types
    assert migrated.scalar("select count(*) from curve_definitions_compat") == 72


def test_enum_labels_match_the_contract(migrated):
    labels = migrated.query(
        "select label.enumlabel from pg_enum as label join pg_type as enum_type on enum_type.oid = label.enumtypid "
        "where enum_type.typname = 'InstanceStatus' order by label.enumsortorder"
    )
    assert [label for (label,) in labels] == [
        "DRAFT", "PENDING_APPROVAL", "APPROVED", "ACTIVE", "SUPERSEDED", "EXPIRED", "FAILED",
    ]  # fmt: skip


def test_every_legacy_curve_keeps_its_id_and_gets_the_documented_name(migrated):
    curves = legacy_curves(migrated)
    assert len(curves) == 72
    expected = expected_curve_names(curves)
    actual = dict(migrated.query('select id, "curveName" from "CurveDefinition"'))
    assert actual == expected
    mappings = migrated.query(
        'select "oldCurveId", "newCurveDefinitionId" from "LegacyCurveMapping"'
    )
    assert sorted(mappings) == sorted((curve["curve_id"], curve["curve_id"]) for curve in curves)


def test_colliding_names_are_suffixed_in_created_at_order(migrated):
    names = dict(migrated.query('select id, "curveName" from "CurveDefinition"'))
    suffixed = [name for name in names.values() if re.search(r"_V\d+$", name)]
    assert any(name.endswith("_V3") for name in suffixed), "the sample has a three-way collision"
    for name in suffixed:
        base = re.sub(r"_V\d+$", "", name)
        assert base in names.values()
    # a curve whose own derived name ends in _V2 keeps it; the next SP15 curve takes _V3
    assert (names[25], names[43], names[61]) == (
        "CAISO_DA_SP15",
        "CAISO_DA_SP15_V2",
        "CAISO_DA_SP15_V3",
    )


def test_null_market_location_and_product_become_the_placeholder(migrated):
    rows = migrated.query(
        "select legacy.market is null, legacy.location is null, legacy.mark_type is null, "
        "definition.market, definition.location, definition.product "
        'from "Forecasts".curve_definitions as legacy '
        'join "CurveDefinition" as definition on definition.id = legacy.curve_id '
        "where legacy.market is null or legacy.location is null or legacy.mark_type is null"
    )
    assert {tuple(row[:3]) for row in rows} >= {
        (True, False, False),
        (False, True, False),
        (False, False, True),
    }
    for market_null, location_null, product_null, market, location, product in rows:
        assert (market == "UNKNOWN") == market_null
        assert (location == "UNKNOWN") == location_null
        assert (product == "UNKNOWN") == product_null


def test_quotes_and_spaces_in_locations_survive(migrated):
    rows = migrated.query(
        'select legacy.location, definition.location, definition."curveName" '
        'from "Forecasts".curve_definitions as legacy '
        'join "CurveDefinition" as definition on definition.id = legacy.curve_id '
        "where legacy.location like '%''%' or legacy.location like '%\"%'"
    )
    assert rows, "the sample has locations with quotes"
    for legacy_location, location, name in rows:
        assert location == legacy_location.strip()
        assert legacy_location.strip().upper().replace(" ", "_") in name


def test_every_migratable_price_row_appears_once_with_id_timestamp_and_value(migrated):
    # values as text: NaN, Infinity and -0 compare exactly (in Python NaN != NaN)
    legacy = migrated.query(
        'select price.id, price.flow_date_start, price.value::text from "Forecasts".price_forecasts as price '
        'join "Forecasts".curve_definitions as curve on curve.curve_id = price.curve_id '
        "where price.flow_date_start is not null and price.value is not null "
        "and coalesce(price.mark_date, curve.mark_date) is not null"
    )
    migrated_rows = migrated.query('select id, "timestamp", value::text from "PriceForecast"')
    assert sorted(migrated_rows) == sorted(legacy)
    assert {"NaN", "Infinity", "-Infinity", "-0"} <= {row[2] for row in migrated_rows}
    assert {-7, 0} <= {row[0] for row in migrated_rows}


def test_unmigratable_price_rows_are_listed_with_a_reason(migrated):
    expected = Counter(
        dict(
            migrated.query(
                "select case when curve_id is null then 'curve_id is null' "
                "when flow_date_start is null then 'flow_date_start is null' "
                "when value is null then 'value is null' end, count(*) "
                'from "Forecasts".price_forecasts '
                "where curve_id is null or flow_date_start is null or value is null group by 1"
            )
        )
    )
    assert set(expected) == {"curve_id is null", "flow_date_start is null", "value is null"}
    listed = Counter(
        dict(
            migrated.query(
                "select reason, count(*) from forecast_migration.migration_exceptions "
                "where source_table = 'price_forecasts' group by 1"
            )
        )
    )
    assert listed == expected
    total_legacy = migrated.scalar('select count(*) from "Forecasts".price_forecasts')
    assert (
        migrated.scalar('select count(*) from "PriceForecast"') + sum(listed.values())
        == total_legacy
    )


def test_two_runs_of_one_curve_become_two_instances_latest_active(migrated):
    runs = migrated.query(
        "select price.curve_id, array_agg(distinct coalesce(price.mark_date, curve.mark_date) order by coalesce(price.mark_date, curve.mark_date)) "
        'from "Forecasts".price_forecasts as price join "Forecasts".curve_definitions as curve using (curve_id) '
        "where price.value is not null and price.flow_date_start is not null "
        "group by price.curve_id having count(distinct coalesce(price.mark_date, curve.mark_date)) > 1"
    )
    assert runs, "the sample has a curve with two forecast runs"
    for curve_id, run_dates in runs:
        instances = migrated.query(
            'select "forecastRunDate", status::text, "freshnessStartDate", "freshnessEndDate" '
            'from "CurveInstance" where curve_definition_id = %s order by "forecastRunDate"',
            (curve_id,),
        )
        assert [instance[0] for instance in instances] == run_dates
        *earlier, latest = instances
        assert latest[1] == "ACTIVE" and latest[3] is None
        for instance, following in zip(earlier, instances[1:], strict=True):
            assert instance[1] == "SUPERSEDED"
            assert instance[2] == instance[0]
            assert instance[3] == following[0]


def test_two_value_types_at_the_same_hour_are_both_kept(migrated):
    collisions = migrated.query(
        "select curve_id, flow_date_start, array_agg(id order by id) "
        'from "Forecasts".price_forecasts where curve_id is not null and value is not null '
        "group by curve_id, mark_date, flow_date_start having count(distinct value_type) > 1"
    )
    assert collisions, "the sample has two value_types for the same hour"
    for _curve_id, _hour, ids in collisions:
        found = migrated.query(
            "select price.id, instance.metadata ->> 'legacyValueType' from \"PriceForecast\" as price "
            'join "CurveInstance" as instance on instance.id = price.curve_instance_id where price.id = any(%s)',
            (ids,),
        )
        assert sorted(row[0] for row in found) == sorted(ids)
        assert len({row[1] for row in found}) == len(ids)


def test_curves_without_prices_have_a_definition_and_schedule_but_no_instance(migrated):
    rows = migrated.query(
        'select curve.curve_id, (select count(*) from "CurveInstance" as instance where instance.curve_definition_id = curve.curve_id), '
        '(select count(*) from "CurveSchedule" as schedule where schedule.curve_definition_id = curve.curve_id) '
        'from "Forecasts".curve_definitions as curve '
        'where not exists (select 1 from "Forecasts".price_forecasts as price where price.curve_id = curve.curve_id)'
    )
    assert len(rows) >= 6
    assert all(instances == 0 and schedules == 1 for _, instances, schedules in rows)


def test_one_lineage_placeholder_per_instance(migrated):
    rows = migrated.query(
        'select instance.id, count(lineage.id), min(lineage."inputType"::text) from "CurveInstance" as instance '
        'left join "CurveInputLineage" as lineage on lineage.curve_instance_id = instance.id group by instance.id'
    )
    assert rows and all(
        count == 1 and input_type == "LEGACY_MIGRATION" for _, count, input_type in rows
    )


def test_each_curve_gets_one_schedule_from_its_active_legacy_schedule_or_the_default(migrated):
    spellings = {
        row["legacy_spelling"]: row["update_frequency"]
        for row in read_seed("update_frequency_spellings")
    }
    defaults = {row["product"]: row for row in read_seed("product_defaults")}
    schedules = migrated.query(
        "select schedule_id, curve_id, update_frequency, coalesce(is_active, true), "
        'coalesce(updated_at, created_at) from "Forecasts".curve_schedule'
    )
    by_curve = defaultdict(list)
    for row in schedules:
        by_curve[row[1]].append(row)
    products = dict(
        migrated.query('select curve_id, upper(trim(mark_type)) from "Forecasts".curve_definitions')
    )
    actual = {
        row[0]: row[1:]
        for row in migrated.query(
            'select curve_definition_id, frequency::text, "freshnessHours", "dayOfMonth", '
            "(metadata ->> 'legacyScheduleId')::int, jsonb_array_length(metadata -> 'legacySchedules') "
            'from "CurveSchedule"'
        )
    }
    assert len(actual) == 72 == migrated.scalar('select count(*) from "CurveSchedule"')
    used_spellings = set()
    for curve_id, product in products.items():
        rule = defaults.get(product, defaults["*"])
        candidates = sorted(
            by_curve[curve_id],
            key=lambda s: (not s[3], s[4] is None, -(s[4].timestamp() if s[4] else 0), -s[0]),
        )
        chosen = candidates[0] if candidates and candidates[0][3] else None
        mapped = spellings.get(chosen[2].strip().upper()) if chosen else None
        frequency, freshness, day_of_month, legacy_id, kept = actual[curve_id]
        assert kept == len(by_curve[curve_id])
        assert legacy_id == (chosen[0] if chosen else None)
        assert freshness == int(rule["freshness_hours"])
        if mapped:
            used_spellings.add(chosen[2])
            assert (frequency, day_of_month) == (mapped, None)
        else:
            assert frequency == rule["frequency"]
            assert day_of_month == (int(rule["day_of_month"]) if rule["day_of_month"] else None)
    assert {"daily", "Weekly", "Annually"} <= used_spellings


def test_unknown_frequency_spelling_is_listed_and_gets_the_default(migrated):
    rows = migrated.query(
        "select excepted.reason, schedule.curve_id, excepted.legacy_row = to_jsonb(schedule) "
        "from forecast_migration.migration_exceptions as excepted "
        'join "Forecasts".curve_schedule as schedule on schedule.schedule_id = excepted.source_id '
        "where excepted.source_table = 'curve_schedule' and schedule.update_frequency = 'every other blue moon'"
    )
    assert len(rows) == 1 and "unknown update_frequency spelling" in rows[0][0]
    # the exception keeps the legacy row itself: its columns and values, nothing derived
    assert rows[0][2] is True
    origin = migrated.scalar(
        "select metadata ->> 'origin' from \"CurveSchedule\" where curve_definition_id = %s",
        (rows[0][1],),
    )
    assert origin == "default_rule_unknown_spelling"


def test_a_curve_with_two_legacy_schedules_keeps_both_in_metadata(migrated):
    curve_id, schedule_ids = migrated.query(
        'select curve_id, array_agg(schedule_id order by schedule_id) from "Forecasts".curve_schedule '
        "group by curve_id having count(*) > 1 limit 1"
    )[0]
    kept = migrated.query(
        "select (s ->> 'schedule_id')::int from \"CurveSchedule\" cs, "
        "jsonb_array_elements(cs.metadata -> 'legacySchedules') s where cs.curve_definition_id = %s order by 1",
        (curve_id,),
    )
    assert [row[0] for row in kept] == schedule_ids


@pytest.mark.parametrize("table", ["curve_definitions", "price_forecasts", "curve_schedule"])
def test_every_compat_view_returns_its_legacy_table_exactly(migrated, table):
    # every kind of dirt of the SAMPLE database: NULLs, blanks, unicode, repeated and
    # unmigratable rows, NaN and infinities, disagreeing copies, unknown spellings, ...
    legacy = f'select * from "Forecasts".{table}'
    compat = f"select * from {table}_compat"
    assert migrated.query(f"{legacy} except all {compat}") == []
    assert migrated.query(f"{compat} except all {legacy}") == []
    assert migrated.scalar(f"select count(*) from ({compat}) as rows") == migrated.scalar(
        f"select count(*) from ({legacy}) as rows"
    )
    # text comparison too: EXCEPT ALL treats -0 and 0 as equal
    assert migrated.query(
        f"select md5(string_agg(rows::text, ',' order by rows::text)) from ({legacy}) as rows"
    ) == migrated.query(
        f"select md5(string_agg(rows::text, ',' order by rows::text)) from ({compat}) as rows"
    )
    column_types = (
        "select column_name, data_type, udt_schema, udt_name, character_maximum_length, "
        "datetime_precision from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position"
    )
    assert migrated.query(column_types, ("public", f"{table}_compat")) == migrated.query(
        column_types, ("Forecasts", table)
    )


def test_mark_case_in_the_compat_view_is_the_legacy_value(migrated):
    pairs = migrated.query(
        'select legacy.mark_case, compat.mark_case from "Forecasts".curve_definitions legacy '
        "join curve_definitions_compat compat using (curve_id)"
    )
    assert len(pairs) == 72 and all(legacy == compat for legacy, compat in pairs)


def test_application_ids_start_above_the_legacy_ids(migrated):
    for table, legacy_max in [
        ("CurveDefinition", 'select max(curve_id) from "Forecasts".curve_definitions'),
        ("PriceForecast", 'select max(id) from "Forecasts".price_forecasts'),
    ]:
        start = migrated.scalar(
            f"select seqstart from pg_sequence where seqrelid = pg_get_serial_sequence('\"{table}\"', 'id')::regclass"
        )
        assert start > migrated.scalar(legacy_max)


@pytest.mark.parametrize("table", ["curve_definitions", "price_forecasts", "curve_schedule"])
def test_the_legacy_tables_are_not_changed(sample_db, migrated, table):
    # `migrated` is a copy of the same SAMPLE database after `dbt build`, `sample_db` one
    # that was never built: the build left the legacy tables as they were
    assert legacy_checksums(migrated)[table] == legacy_checksums(sample_db)[table]
    columns = (
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'Forecasts' order by 1, 2"
    )
    assert migrated.query(columns) == sample_db.query(columns)


def test_mapping_notes_say_why_a_name_was_suffixed_or_holds_a_placeholder(migrated):
    rows = migrated.query(
        'select mapping."migrationNotes", definition."curveName", '
        "coalesce(trim(curve.market), '') = '' or coalesce(trim(curve.mark_type), '') = '' or coalesce(trim(curve.location), '') = '' "
        'from "LegacyCurveMapping" as mapping join "CurveDefinition" as definition on definition.id = mapping."newCurveDefinitionId" '
        'join "Forecasts".curve_definitions as curve on curve.curve_id = mapping."oldCurveId"'
    )
    assert len(rows) == 72
    for notes, name, has_null_part in rows:
        assert notes.startswith(f"curveName {name}")
        assert ("became UNKNOWN" in notes) == has_null_part
        # curve 43 derives CAISO_DA_SP15_V2 itself; every other _V<n> is a suffix
        suffixed = bool(re.search(r"_V\d+$", name)) and name != "CAISO_DA_SP15_V2"
        assert ("suffixed: the derived name" in notes) == suffixed
