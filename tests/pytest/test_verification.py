"""Runbook Step 4 as `dbt test`: each verification passes on a good migration and fails,
naming the problem, when the new tables disagree with the legacy ones."""

from __future__ import annotations

import pytest
from conftest import LEGACY_APP_ROLE
from helpers import node_results

pytestmark = pytest.mark.every_version


def failing_tests(db, select: str | None = None, vars=None) -> dict[str, str]:
    """The failing tests (name -> message) of `dbt test`: the verification (every test but
    the sources' readiness tests), or only `select`."""
    scope = ["--select", select] if select else ["--exclude", "source:*"]
    result = db.dbt("test", *scope, vars=vars)
    return {
        name: message
        for name, (status, message) in node_results(result).items()
        if status in ("fail", "error")
    }


def test_verification_passes_after_a_clean_migration(migrated_db):
    assert failing_tests(migrated_db) == {}


@pytest.mark.parametrize(
    ("tampering", "expected_failure"),
    [
        # a migrated price row is lost
        ('delete from "PriceForecast" where id = (select min(id) from "PriceForecast")', "assert_price_rows_match_legacy"),
        # a migrated value drifts
        ('update "PriceForecast" set value = value + 1 where id = (select min(id) from "PriceForecast")', "assert_price_rows_match_legacy"),
        # the compat view would answer an old query differently
        ("update \"CurveDefinition\" set metadata = jsonb_set(metadata, '{legacy,mark_case}', '\"Invented\"') where id = (select min(id) from \"CurveDefinition\")", "assert_compat_views_match_legacy"),
        # a curve loses its mapping
        ('delete from "LegacyCurveMapping" where id = (select min(id) from "LegacyCurveMapping")', "assert_every_legacy_curve_mapped_once"),
        # a second migrated schedule appears
        ('insert into "CurveSchedule" (curve_definition_id, frequency, metadata) select curve_definition_id, frequency, metadata from "CurveSchedule" limit 1', "assert_one_schedule_per_migrated_curve"),
        # a metric the application wrote once its foreign key was dropped points at no instance
        ('alter table "QualityMetric" drop constraint "QualityMetric_curve_instance_id_fkey"; insert into "QualityMetric" (curve_instance_id, "metricType", "metricValue") values (-1, \'mape\', 1)', "relationships_QualityMetric_curve_instance_id__id__ref_CurveInstance_"),
    ],
)  # fmt: skip
def test_verification_fails_when_the_new_tables_disagree(migrated_db, tampering, expected_failure):
    migrated_db.execute(tampering)
    # the clean run above passes every test: only the one expected to fail is run here
    assert expected_failure in failing_tests(migrated_db, select=expected_failure)


def test_the_curve_count_check_fails_when_a_curve_is_missing(migrated_db):
    test = "assert_migrated_curve_count_is_expected"
    assert test in failing_tests(migrated_db, select=test, vars={"expected_curve_count": 71})


def test_a_label_added_to_the_project_list_is_added_to_the_type(migrated_db):
    import yaml
    from forecast_migrate import PROJECT_DIR

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    enum_types = project["vars"]["enum_types"]
    enum_types["RunStatus"] = [*enum_types["RunStatus"], "TIMED_OUT"]
    migrated_db.build(vars={"enum_types": enum_types})
    labels = [
        label
        for (label,) in migrated_db.query(
            "select label.enumlabel from pg_enum as label join pg_type as enum_type on enum_type.oid = label.enumtypid "
            "where enum_type.typname = 'RunStatus' order by label.enumsortorder"
        )
    ]
    assert labels == enum_types["RunStatus"]


def shown_ids(db, test: str) -> set[int]:
    """The ids of the rows a singular test returns (its failures)."""
    (shown,) = db.dbt("show", "--select", test, "--limit", "-1").result.results
    return {row[0] for row in shown.agate_table.rows}


def test_the_price_checks_name_every_row_that_differs_in_any_way(migrated_db):
    db = migrated_db
    # the verification ledger in chunks of 256 ids: the sample's 20,000 price rows in about 80
    # chunks, not one; a build with them checksums every chunk again
    db.vars = {"price_chunk_bits": 8}
    db.build()
    ids = [row[0] for row in db.query('select id from "PriceForecast" order by id limit 5')]
    signed_zero, nan, drift, microsecond, missing = ids[:5]
    # legacy values only an exact comparison tells apart, carried over by a re-run whose
    # tests (both checks among them) pass
    for value, row_id in (("-0", signed_zero), ("NaN", nan)):
        db.execute(
            'update "Forecasts".price_forecasts set value = %s::float8 where id = %s',
            (value, row_id),
        )
    db.build()
    # the re-run checksummed again only the chunks of the two rows it carried over
    chunk_bits = db.vars["price_chunk_bits"]
    chunks = dict(
        db.query(
            "select chunk, checksummed_by_batch = (select max(batch_id) from forecast_migration.price_load_batches) "
            "from forecast_migration.price_chunk_checksums"
        )
    )
    assert len(chunks) > 2
    assert {chunk for chunk, again in chunks.items() if again} == {
        row_id >> chunk_bits for row_id in (signed_zero, nan)
    }
    # the new side then differs from the legacy table, one row one way each
    db.execute('update "PriceForecast" set value = 0 where id = %s', (signed_zero,))
    db.execute('update "PriceForecast" set value = %s where id = %s', (1.5, nan))
    db.execute('update "PriceForecast" set value = value + 1e-9 where id = %s', (drift,))
    db.execute(
        'update "PriceForecast" set "timestamp" = "timestamp" + interval \'1 microsecond\' where id = %s',
        (microsecond,),
    )
    db.execute('delete from "PriceForecast" where id = %s', (missing,))
    # a listed legacy row returned twice
    duplicated = db.scalar(
        "insert into forecast_migration.migration_exceptions select * from forecast_migration.migration_exceptions "
        "where source_table = 'price_forecasts' order by source_id limit 1 returning source_id"
    )
    named = shown_ids(db, "assert_price_rows_match_legacy")
    expected = {signed_zero, nan, drift, microsecond, missing, duplicated}
    assert expected <= named, sorted(expected - named)
    # the check of the last batch reads only the rows it carried over, and names those
    assert shown_ids(db, "assert_batch_price_rows_match_legacy") == {signed_zero, nan}
    # a legacy row the old application deletes now, in a chunk far from the others: the
    # warning finds it by its chunk's changed version, and names it alone
    (deleted,) = db.query(
        'delete from "Forecasts".price_forecasts where id = (select max(id) from "PriceForecast") returning id',
        role=LEGACY_APP_ROLE,
    )[0]
    assert deleted >> chunk_bits not in {row_id >> chunk_bits for row_id in ids}
    assert shown_ids(db, "assert_deleted_price_rows_are_listed") == {deleted}
    # a build takes the changed chunks' checksums again: the ledger's two sides now differ
    # there (its versions are current, so nothing else flags them), and the rows are named
    result = db.dbt("build")
    assert node_results(result)["assert_price_rows_match_legacy"][0] == "fail"
    tampered = {signed_zero, nan, drift, microsecond, missing}
    differing = db.query(
        "select chunk from forecast_migration.price_chunks_to_compare where checksums_differ"
    )
    assert {chunk for (chunk,) in differing} == {row_id >> chunk_bits for row_id in tampered}
    assert tampered <= shown_ids(db, "assert_price_rows_match_legacy")
    # the application moves an instance's run date: the compat view's mark_date of its rows
    # changes, and the ledger's versions (what the view reads of an instance) flag them
    moved = [
        row_id
        for (row_id,) in db.query(
            'select id from "PriceForecast" where curve_instance_id = (select curve_instance_id '
            'from "PriceForecast" order by id desc limit 1) '
            "and not coalesce('legacy_mark_date is null' = any(flags), false) and id not in "
            "(select source_id from forecast_migration.migration_exceptions) order by id desc limit 3"
        )
    ]
    assert moved
    db.execute(
        'update "CurveInstance" set "forecastRunDate" = "forecastRunDate" + interval \'1 day\' '
        'where id = (select curve_instance_id from "PriceForecast" where id = %s)',
        (moved[0],),
    )
    assert set(moved) <= shown_ids(db, "assert_price_rows_match_legacy")
