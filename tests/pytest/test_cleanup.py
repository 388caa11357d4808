"""`forecast-migrate cleanup --legacy-tables` against a real server (issue 11): the legacy
tables give way to views of the same name over the new tables, in one transaction that first
finds every compat view equal to its legacy table. Old queries answer the same rows, as the
old application's roles; writes fail with a message; afterwards `dbt build` stops at
readiness and `rollback` refuses. When the legacy tables changed since the last build, the
clean-up refuses and changes nothing."""

from __future__ import annotations

import pytest
from cli_helpers import (
    backup_schemas,
    legacy_state,
    legacy_write_error,
    project_state,
    run_log_rows,
)
from conftest import LEGACY_APP_ROLE, LEGACY_READER_ROLE
from helpers import LEGACY_TABLES

CLEANUP = ("cleanup", "--older-than", "0", "--legacy-tables", "--execute", "--yes")
ORDER = {"curve_definitions": "curve_id", "price_forecasts": "id", "curve_schedule": "schedule_id"}
# a write of each kind to the old names after the clean-up: a refused write is one statement on
# its own connection and changes nothing, so one clean-up serves all three
WRITES = {
    "insert": 'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value, value_type) '
    "values (1, '2031-01-01', 1.5, 'SAMPLE')",
    "update": 'update "Forecasts".curve_definitions set location = location where curve_id = 1',
    "delete": 'delete from "Forecasts".curve_schedule where schedule_id = (select min(schedule_id) from "Forecasts".curve_schedule)',
}


def old_queries(db, role: str) -> dict[str, object]:
    """What the old application reads: every row of each legacy name as text, in id order,
    and the columns with their types."""
    return {
        table: (
            db.query(
                f'select row_::text from "Forecasts".{table} as row_ order by {ORDER[table]}, row_::text',
                role=role,
            ),
            db.query(
                "select column_name, data_type, ordinal_position from information_schema.columns "
                "where table_schema = 'Forecasts' and table_name = %s order by ordinal_position",
                (table,),
                role=role,
            ),
        )
        for table in LEGACY_TABLES
    }


def relation_kinds(db) -> dict[str, str]:
    return dict(
        db.query(
            "select relname, relkind::text from pg_class where relname = any(%s) "
            "and relnamespace = '\"Forecasts\"'::regnamespace",
            (LEGACY_TABLES,),
        )
    )


@pytest.mark.every_version
def test_old_queries_answer_the_same_rows_after_the_cleanup(cli, cli_migrated_db):
    db = cli_migrated_db
    before = {role: old_queries(db, role) for role in (LEGACY_APP_ROLE, LEGACY_READER_ROLE)}
    assert sum(len(rows) for rows, _ in before[LEGACY_READER_ROLE].values()) > 20000
    dry = cli(db, *CLEANUP[:-2])
    assert dry.code == 0, dry.err
    assert "legacy_tables_replaced_by_views" in dry.out
    assert relation_kinds(db) == dict.fromkeys(LEGACY_TABLES, "r")

    result = cli(db, *CLEANUP)
    assert result.code == 0, result.err
    assert "Compat views equal their legacy tables" in result.out
    assert relation_kinds(db) == dict.fromkeys(LEGACY_TABLES, "v")
    assert backup_schemas(db) == []
    assert run_log_rows(db)[-1][1:3] == ("cleanup", "ok")
    after = {role: old_queries(db, role) for role in (LEGACY_APP_ROLE, LEGACY_READER_ROLE)}
    assert after == before


@pytest.mark.every_version
def test_writes_to_the_old_names_fail_with_a_message(cli, cli_migrated_db):
    db = cli_migrated_db
    assert cli(db, *CLEANUP).code == 0
    before = project_state(db)
    errors = {kind: legacy_write_error(db, write) for kind, write in WRITES.items()}
    refused = "is a read-only view since the clean-up of the legacy tables: write to"
    assert all(error and refused in error.splitlines()[0] for error in errors.values()), errors
    assert project_state(db) == before


def test_after_the_cleanup_build_and_rollback_refuse_and_status_says_why(cli, cli_migrated_db):
    db = cli_migrated_db
    assert cli(db, *CLEANUP).code == 0
    before = (project_state(db), legacy_state(db), relation_kinds(db))

    status = cli(db, "status")
    assert status.code == 0, status.err
    assert "migration: cleaned up: the legacy tables are read-only views" in status.out
    assert "Legacy tables: replaced by read-only views at the clean-up" in status.out

    rollback = cli(db, "rollback", "--yes")
    assert rollback.code == 1
    assert "the clean-up replaced the legacy tables by views" in rollback.err
    assert "rollback refuses; nothing changed" in rollback.err

    build = db.dbt_cli("build")
    assert build.returncode != 0
    assert 'readiness: "Forecasts"."price_forecasts" is a view since the clean-up' in build.stdout
    assert (project_state(db), legacy_state(db), relation_kinds(db)) == before


def test_cleanup_refuses_when_the_legacy_tables_changed_since_the_last_build(cli, cli_migrated_db):
    db = cli_migrated_db
    db.execute(
        'insert into "Forecasts".price_forecasts (curve_id, flow_date_start, value, value_type) '
        "select curve_id, '2031-01-01', 42.5, value_type from \"Forecasts\".price_forecasts "
        "order by id limit 1",
        role=LEGACY_APP_ROLE,
    )
    before = (project_state(db), legacy_state(db), backup_schemas(db))
    result = cli(db, *CLEANUP)
    assert result.code == 1
    assert (
        "price_forecasts: 1 row(s) only in the table, 0 only in price_forecasts_compat"
        in result.err
    )
    assert "Nothing was dropped" in result.err
    assert (project_state(db), legacy_state(db), backup_schemas(db)) == before
    assert relation_kinds(db) == dict.fromkeys(LEGACY_TABLES, "r")

    assert cli(db, "migrate", "--rerun").code == 0
    assert cli(db, *CLEANUP).code == 0
    assert (
        db.scalar(
            "select count(*) from \"Forecasts\".price_forecasts where value = 42.5 and flow_date_start = '2031-01-01'",
            role=LEGACY_READER_ROLE,
        )
        == 1
    )
