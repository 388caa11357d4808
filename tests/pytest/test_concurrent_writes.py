"""The old application keeps writing while the migration runs: quick inserts, a transaction
that spans a whole build, ids fetched ahead of their insert, corrections and deletions of
migrated rows, each by a thread with its own connection as the old application's role.
Builds that run during the writes pass; once the writes stop, one plain `dbt build` carries
everything over: every legacy price row is migrated with its current values or listed in
migration_exceptions (the compat view returns exactly the legacy table), every deleted one
is listed, and the load ledger says what each batch read and wrote."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from conftest import LEGACY_APP_ROLE, PROJECT_DIR, ROLE_PASSWORD

pytestmark = pytest.mark.xdist_group("timing")

LEGACY_COLUMNS = (
    "id, curve_id, flow_date_start, granularity, value, units, location, mark_case, "
    "curve_creator, value_type, mark_date"
)
INSERT_COLUMNS = LEGACY_COLUMNS.removeprefix("id, ")
DELETED_REASON = "deleted from the legacy table after a batch read it"


def connect_as_the_old_application(db):
    connection = psycopg2.connect(
        host=db.env["PGHOST"],
        port=db.env["PGPORT"],
        user=LEGACY_APP_ROLE,
        password=ROLE_PASSWORD,
        dbname=db.name,
        application_name="old application",
    )
    connection.autocommit = True
    return connection


class OldApplication:
    """Threads that write to the legacy price table the way the old application does, until
    stopped: quick inserts (new hours and a new run), corrections and deletions of rows
    that may already be migrated, one transaction held open across whatever runs meanwhile,
    and ids fetched from the sequence now and inserted at the end."""

    def __init__(self, db, seed: int, deletions: int = 8):
        self.db = db
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.deletions_left = deletions
        self.source_ids = [
            row[0]
            for row in db.query(
                'select id from "Forecasts".price_forecasts where curve_id is not null '
                "and flow_date_start is not null and value is not null and mark_date is not null "
                "order by id"
            )
        ]
        self.threads = [
            threading.Thread(target=self._loop, args=(step,), daemon=True)
            for step in (self._insert, self._correct, self._delete)
        ]
        # a transaction that takes its ids now and commits only at the end
        self.long_transaction = connect_as_the_old_application(db)
        self.long_transaction.autocommit = False
        with self.long_transaction.cursor() as cursor:
            for _ in range(3):
                cursor.execute(self._copy_sql("4000 hours"), (self.random.choice(self.source_ids),))
        # ids fetched ahead of their insert
        connection = connect_as_the_old_application(db)
        with connection.cursor() as cursor:
            cursor.execute(
                "select nextval(pg_get_serial_sequence('\"Forecasts\".price_forecasts', 'id')) "
                "from generate_series(1, 3)"
            )
            self.prefetched = [row[0] for row in cursor.fetchall()]
        connection.close()

    def _copy_sql(self, shift: str, with_id: bool = False) -> str:
        """INSERT of a copy of legacy row %s, its hour moved by `shift` (another hour of the
        same forecast run), as the old application writes a new row."""
        shifted = INSERT_COLUMNS.replace(
            "flow_date_start,", f"flow_date_start + interval '{shift}',"
        )
        return (
            f'insert into "Forecasts".price_forecasts ({"id, " if with_id else ""}{INSERT_COLUMNS}) '
            f'select {"%s, " if with_id else ""}{shifted} from "Forecasts".price_forecasts where id = %s'
        )

    def _insert(self, cursor) -> None:
        hours = self.random.randint(1, 2000)
        cursor.execute(
            self._copy_sql(f"{10000 + hours} hours"), (self.random.choice(self.source_ids),)
        )

    def _correct(self, cursor) -> None:
        cursor.execute(
            'update "Forecasts".price_forecasts set value = value + 1 where id = %s',
            (self.random.choice(self.source_ids),),
        )

    def _delete(self, cursor) -> None:
        if self.deletions_left > 0:
            self.deletions_left -= 1
            cursor.execute(
                'delete from "Forecasts".price_forecasts where id = %s',
                (self.random.choice(self.source_ids),),
            )

    def _loop(self, step) -> None:
        try:
            connection = connect_as_the_old_application(self.db)
            with connection.cursor() as cursor:
                while not self.stop.is_set():
                    step(cursor)
                    time.sleep(0.02)
            connection.close()
        except BaseException as error:  # reported by finish()
            self.errors.append(error)

    def start(self) -> OldApplication:
        for thread in self.threads:
            thread.start()
        time.sleep(0.5)
        return self

    def finish(self) -> None:
        """Stop writing: join the threads, commit the long transaction, insert the ids
        fetched ahead (below the ids written since)."""
        self.stop.set()
        for thread in self.threads:
            thread.join()
        self.long_transaction.commit()
        self.long_transaction.close()
        connection = connect_as_the_old_application(self.db)
        with connection.cursor() as cursor:
            for prefetched in self.prefetched:
                cursor.execute(
                    self._copy_sql("6000 hours", with_id=True),
                    (prefetched, self.random.choice(self.source_ids)),
                )
        connection.close()
        assert not self.errors, self.errors


def application_id_start(db) -> int:
    start = db.scalar(
        "select nullif(seq.seqstart, 1) from pg_sequence as seq join pg_depend as dep "
        "on seq.seqrelid = dep.objid and dep.deptype = 'i' "
        "where dep.refobjid = '\"PriceForecast\"'::regclass"
    )
    return start or 2**31 - 1


def assert_every_legacy_row_carried_over(db) -> None:
    """Every legacy price row is what the compat view returns for it (migrated with its
    current values, or kept in migration_exceptions), the compat view returns no other
    legacy id, and every migrated row whose legacy row was deleted is listed."""
    below = application_id_start(db)
    compat = f"select {LEGACY_COLUMNS} from price_forecasts_compat where id < {below}"
    legacy = f'select {LEGACY_COLUMNS} from "Forecasts".price_forecasts'
    assert db.query(f"select id from ({legacy} except all {compat}) as only_legacy") == []
    assert db.query(f"select id from ({compat} except all {legacy}) as only_compat") == []
    deleted = db.query(
        f'select id from "PriceForecast" where id < {below} and id not in '
        '(select id from "Forecasts".price_forecasts) order by id'
    )
    listed = db.query(
        "select source_id from forecast_migration.migration_exceptions "
        "where source_table = 'price_forecasts' and reason like %s order by 1",
        (DELETED_REASON + "%",),
    )
    assert deleted == listed


def assert_the_ledger_describes_the_last_batch(db) -> None:
    """The last batch read every legacy row there is now, and every stage recorded itself."""
    last = db.query(
        "select legacy_price_rows, counted_at is not null, loaded_at is not null, "
        "listed_at is not null, load_xid is not null, rows_written is not null "
        "from forecast_migration.price_load_batches order by batch_id desc limit 1"
    )[0]
    legacy_rows = db.scalar('select count(*) from "Forecasts".price_forecasts')
    assert last == (legacy_rows, True, True, True, True, True)


@pytest.mark.parametrize(
    "first_migration",
    [
        pytest.param(True, id="first migration", marks=pytest.mark.every_version),
        pytest.param(False, id="re-runs"),
    ],
)
def test_builds_during_the_old_applications_writes_pass_and_one_more_carries_everything_over(
    sample_db, migrated_db, first_migration
):
    db = sample_db if first_migration else migrated_db
    # the verification ledger in chunks of 256 ids, not one chunk: its test trusts the
    # checksums of the chunks that did not change while the old application wrote others
    db.vars = {"price_chunk_bits": 8}
    application = OldApplication(db, seed=3 if first_migration else 4).start()
    try:
        db.build()
        db.build()
    finally:
        application.finish()
    # rows the old application wrote during the builds, below ids already migrated too
    assert db.scalar(
        'select count(*) from "Forecasts".price_forecasts where id = any(%s) '
        'and id not in (select id from "PriceForecast")',
        (application.prefetched,),
    ) == len(application.prefetched)
    db.build()
    assert_every_legacy_row_carried_over(db)
    assert_the_ledger_describes_the_last_batch(db)
    assert db.scalar(
        'select count(*) from "PriceForecast" where id = any(%s)', (application.prefetched,)
    ) == len(application.prefetched)


def test_a_build_killed_while_the_old_application_writes_is_finished_by_the_next(migrated_db):
    db = migrated_db
    application = OldApplication(db, seed=5).start()
    # the load waits for this lock (reads do not): the build is killed after counting its
    # batch, while it waits to load it
    blocker = db.connect()
    blocker.autocommit = False
    blocker.cursor().execute('lock table "PriceForecast" in share mode')
    try:
        build = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dbt"), "build",
                "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            ],
            env={**os.environ, **db.env, "PGDATABASE": db.name},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not db.scalar(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and wait_event_type = 'Lock' and query ilike '%PriceForecast%'"
        ):
            time.sleep(0.1)
        build.send_signal(signal.SIGKILL)
        build.wait()
        assert (
            db.scalar(
                "select count(*) from forecast_migration.price_load_batches "
                "where counted_at is not null and loaded_at is null"
            )
            == 1
        )
    finally:
        blocker.rollback()
        blocker.close()
        application.finish()
    db.build()
    assert_every_legacy_row_carried_over(db)
    assert_the_ledger_describes_the_last_batch(db)


@pytest.mark.every_version
def test_a_row_committed_during_a_transaction_counts_as_changed_in_its_next_statement(
    migrated_db,
):
    """row_changed_since measures from the statement's own snapshot. age() alone counts from
    a point fixed at its first call in the transaction: a later statement of a READ COMMITTED
    transaction (dbt runs several tests in one) sees a row committed since, whose age is then
    negative, and took it for a row the batch had read."""
    db = migrated_db
    snapshot = db.scalar(
        "select snapshot from forecast_migration.price_load_batches order by batch_id desc limit 1"
    )
    changed = db.dbt(
        "compile", "--inline",
        "select id from {{ ref('stg_legacy__price_forecasts') }} "
        f"where {{{{ row_changed_since('row_version', \"'{snapshot}'\") }}}}",
    ).result.results[0].node.compiled_code  # fmt: skip
    reader = db.connect()
    reader.autocommit = False
    try:
        with reader.cursor() as cursor:
            cursor.execute(changed)
            assert cursor.fetchall() == []  # the batch read every legacy row there is
            db.scalar("select txid_current()")  # another transaction in between
            copy = INSERT_COLUMNS.replace(
                "flow_date_start,", "flow_date_start + interval '9000 hours',"
            )
            new_id = db.scalar(
                f'insert into "Forecasts".price_forecasts ({INSERT_COLUMNS}) select {copy} '
                'from "Forecasts".price_forecasts where value is not null order by id limit 1 '
                "returning id",
                role=LEGACY_APP_ROLE,
            )
            cursor.execute(changed)
            assert cursor.fetchall() == [(new_id,)]
    finally:
        reader.rollback()
        reader.close()
