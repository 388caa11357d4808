"""Incremental runs: a re-run reads only the legacy rows changed since the last batch, yet
ends where a first migration of the same legacy data ends; repeated rows are skipped and
listed on either path; a legacy row that arrives with an id below those already migrated
is carried over by a plain build. The first build's bulk load ends where dbt's own
contract DDL ends."""

from __future__ import annotations

import pytest
from helpers import catalog_snapshot, node_results

DUPLICATE_REASON = "duplicate: same curve, run, value_type and flow_date_start as a lower id"
MIGRATABLE_ROW = (
    'select min(id) from "Forecasts".price_forecasts where curve_id is not null '
    "and flow_date_start is not null and value is not null and mark_date is not null"
)
PRICE_COLUMNS = (
    "curve_id, flow_date_start, granularity, value, units, location, mark_case, "
    "curve_creator, value_type, mark_date"
)


def add_duplicate(db) -> tuple[int, int]:
    """Insert a legacy row repeating the curve, run, value_type and hour of an existing one,
    with another value; return (original id, duplicate id)."""
    original = db.scalar(MIGRATABLE_ROW)
    duplicate = db.scalar(
        f'insert into "Forecasts".price_forecasts ({PRICE_COLUMNS}) '
        f"select {PRICE_COLUMNS.replace('value,', 'value + 100,')} "
        'from "Forecasts".price_forecasts where id = %s returning id',
        (original,),
    )
    return original, duplicate


def add_late_rows(db) -> tuple[int, int]:
    """What the old application writes after the first migration: one more hour of a run,
    a new run of the same curve, and a row repeating an hour already migrated (its ids are
    returned as by add_duplicate)."""
    curve_id, run_date, last_hour = db.query(
        'select curve_id, mark_date, max(flow_date_start) from "Forecasts".price_forecasts '
        "where curve_id is not null and mark_date is not null and value is not null "
        "group by curve_id, mark_date order by curve_id limit 1"
    )[0]
    db.execute(
        f'insert into "Forecasts".price_forecasts ({PRICE_COLUMNS}) '
        f"select {PRICE_COLUMNS.replace('flow_date_start,', 'flow_date_start + interval %s,')} "
        'from "Forecasts".price_forecasts where curve_id = %s and mark_date = %s and flow_date_start = %s',
        ("1 hour", curve_id, run_date, last_hour),
    )
    db.execute(
        f'insert into "Forecasts".price_forecasts ({PRICE_COLUMNS}) '
        f"select {PRICE_COLUMNS.replace('mark_date', 'mark_date + interval %s')} "
        'from "Forecasts".price_forecasts where curve_id = %s and mark_date = %s order by id',
        ("30 days", curve_id, run_date),
    )
    return add_duplicate(db)


def migrated_state(db) -> dict[str, list[tuple]]:
    """The migrated content, keyed by legacy keys rather than by the ids new instances got."""
    return {
        "prices": db.query(
            "select price.id, instance.metadata ->> 'legacyRunKey', price.timestamp, price.value::text, price.flags "
            'from "PriceForecast" as price join "CurveInstance" as instance on instance.id = price.curve_instance_id order by 1'
        ),
        "instances": db.query(
            "select metadata ->> 'legacyRunKey', curve_definition_id, \"instanceVersion\", "
            '"deliveryPeriodStart", "deliveryPeriodEnd", "forecastRunDate", "freshnessStartDate", '
            '"freshnessEndDate", status::text, metadata from "CurveInstance" order by 1'
        ),
        "curves": db.query(
            'select id, "curveName", units, metadata from "CurveDefinition" order by 1'
        ),
        "lineage": db.query(
            'select "inputIdentifier", "inputTimestamp", metadata from "CurveInputLineage" order by 1'
        ),
        "exceptions": db.query(
            "select source_table, source_id, reason from forecast_migration.migration_exceptions "
            "order by 1, 2"
        ),
    }


@pytest.mark.every_version
def test_a_re_run_ends_where_a_first_migration_of_the_same_legacy_rows_ends(sample_db, migrated_db):
    # the same legacy rows, migrated in one first build (repeated rows found by the unique
    # index of the bulk load) and in a first build plus a re-run (skipped on insert)
    duplicates = {add_late_rows(migrated_db), add_late_rows(sample_db)}
    assert len(duplicates) == 1
    original, duplicate = duplicates.pop()
    migrated_db.build()
    sample_db.build()
    state = migrated_state(migrated_db)
    assert state == migrated_state(sample_db)
    migrated_ids = {row[0] for row in state["prices"]}
    assert original in migrated_ids and duplicate not in migrated_ids
    assert ("price_forecasts", duplicate, DUPLICATE_REASON) in state["exceptions"]


@pytest.mark.every_version
def test_a_legacy_row_with_an_id_below_those_migrated_is_carried_over_by_a_plain_build(
    migrated_db,
):
    db = migrated_db
    # e.g. a legacy transaction that took its id before the last run and committed after it
    db.execute(
        f'insert into "Forecasts".price_forecasts (id, {PRICE_COLUMNS}) '
        f"select -1000, {PRICE_COLUMNS.replace('flow_date_start,', 'flow_date_start + interval %s,')} "
        'from "Forecasts".price_forecasts where id = (' + MIGRATABLE_ROW + ")",
        ("1000 days",),
    )
    assert db.scalar('select count(*) from "PriceForecast" where id = -1000') == 0
    db.build()
    assert db.scalar('select count(*) from "PriceForecast" where id = -1000') == 1
    # the ledger: one changed row, and the count grew by one, so it is new (no recount)
    ledger = db.query(
        "select changed_price_rows, only_new_price_rows, recounted, rows_written "
        "from forecast_migration.price_load_batches order by batch_id desc limit 1"
    )[0]
    assert ledger == (1, True, False, 1)


def test_rows_counted_by_an_interrupted_build_are_still_checked_for_repeats(sample_db, migrated_db):
    # a build that stopped after counting the legacy rows (committed) and before
    # migration_exceptions: before the first migration and before a re-run
    for db, new_rows in ((sample_db, add_duplicate), (migrated_db, add_late_rows)):
        original, duplicate = new_rows(db)
        counted = node_results(db.dbt("run", "--select", "+int_price_rows_counted"))
        assert counted["int_price_rows_counted"][0] == "success"
        db.build()
        migrated_ids = {row[0] for row in db.query('select id from "PriceForecast"')}
        assert original in migrated_ids and duplicate not in migrated_ids
        assert (
            db.scalar(
                "select reason from forecast_migration.migration_exceptions "
                "where source_table = 'price_forecasts' and source_id = %s",
                (duplicate,),
            )
            == DUPLICATE_REASON
        )


def test_the_bulk_load_ends_with_the_table_dbt_contract_ddl_creates(sample_db, second_sample_db):
    # the same legacy rows built once by CREATE TABLE AS plus the constraints afterwards and
    # once by dbt's own contract DDL and inserts (bulk_load false)
    sample_db.build()
    second_sample_db.build(vars={"bulk_load": False})
    bulk, contract_ddl = catalog_snapshot(sample_db), catalog_snapshot(second_sample_db)
    assert [row for row in bulk["constraints"] if row[0] == '"PriceForecast"']
    assert [row for row in bulk["indexes"] if row[0] == "PriceForecast"]
    assert bulk == contract_ddl
    assert migrated_state(sample_db) == migrated_state(second_sample_db)
