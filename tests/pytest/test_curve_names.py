"""Unique curve names whatever the legacy names hold.

Two kinds of proof. A property-based test (hypothesis) runs the project's naming rule, the
macros curve_base_name and assign_curve_names compiled by dbt, on hundreds of random and
adversarial legacy name sets and checks the properties the rule promises. Then whole
builds on seeded random renamings of the SAMPLE curves check that the names are unique, and
that a second build, after legacy curves and an application curve were added, renames
nothing and gives the new curves free names."""

from __future__ import annotations

import random
import re
from datetime import datetime

import pytest
from conftest import LEGACY_APP_ROLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Name parts a DBA would not list: suffix look-alikes, case and whitespace twins, blanks,
# NULLs, punctuation and unicode.
PARTS = [
    "SP15", "sp15", " SP15 ", "SP15 V2", "SP15_V2", "SP15 v2", "SP15_V3", "SP15  V2", "SP15\tV2",
    "", " ", None, "_V2", "V2", "Hub", "HUB", "O'Brien", '"North"', "Zürich", "ZÜRICH", "—",
    "a_V10", "x" * 250,
]  # fmt: skip
MARKETS = ["CAISO", "caiso", "ERCOT", "", None, "ISO-NE"]
PRODUCTS = ["DA", "da", "RT", "Energy Arb", "energy  arb", None, " "]
CREATED = [None, datetime(2024, 1, 1), datetime(2024, 1, 1), datetime(2024, 6, 1)]


@pytest.fixture(scope="module")
def naming_sql(sample_template, admin) -> str:
    """The naming rule as one SELECT over a temporary table of legacy curves and one of taken
    names, compiled by dbt from the project's own macros."""
    from conftest import WORKER, create_database

    # the name of sample_db's copies, whose parsed manifest the tests reuse
    db = create_database(admin, template=sample_template, name=f"sample_{WORKER}")
    result = db.dbt(
        "compile",
        "--inline",
        "with legacy_named as (select curve_id, created_at, "
        "{{ curve_base_name('market', 'mark_type', 'location') }} as base_name "
        "from pg_temp.legacy_curves) select * from ("
        "{{ assign_curve_names('legacy_named', 'select curve_name from pg_temp.taken_names') }}"
        ") as assigned",
    )
    assert result.success, result.exception
    admin.execute(f'drop database "{db.name}" with (force)')
    return result.result.results[0].node.compiled_code


def run_naming(connection, sql: str, curves: list[tuple], taken: list[str]) -> dict[int, str]:
    """curve_id -> curveName for legacy curves (curve_id, market, mark_type, location,
    created_at), with `taken` names already in use."""
    with connection.cursor() as cursor:
        cursor.execute(
            "create temporary table if not exists legacy_curves (curve_id integer, market text, "
            "mark_type text, location text, created_at timestamp); "
            "create temporary table if not exists taken_names (curve_name text); "
            "truncate legacy_curves, taken_names"
        )
        cursor.executemany("insert into legacy_curves values (%s, %s, %s, %s, %s)", curves)
        cursor.executemany("insert into taken_names values (%s)", [(name,) for name in taken])
        cursor.execute(sql)
        return dict((curve_id, name) for curve_id, name, _suffix in cursor.fetchall())


def base_name(market, product, location) -> str:
    """An independent reading of the documented base-name rule (ASCII parts only: upper()
    of other letters depends on the server's locale)."""

    def part(value):
        cleaned = re.sub(r"\s+", "_", (value or "").strip())
        return cleaned or "UNKNOWN"

    return "_".join(part(value) for value in (market, product, location)).upper()[:200]


curve_sets = st.lists(
    st.tuples(
        st.sampled_from(MARKETS),
        st.sampled_from(PRODUCTS),
        st.sampled_from(PARTS),
        st.sampled_from(CREATED),
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.every_version
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(curves=curve_sets, taken_from=st.lists(st.integers(0, 39), max_size=5), data=st.data())
def test_the_naming_rule_gives_unique_stable_names_on_any_legacy_names(
    naming_sql, admin, curves, taken_from, data
):
    rows = [(curve_id, *curve) for curve_id, curve in enumerate(curves, start=1)]
    bases = {row[0]: base_name(row[1], row[2], row[3]) for row in rows}
    # names the application took: some of the derived names themselves, and their _V2
    taken = sorted(
        {bases[1 + index % len(rows)] for index in taken_from}
        | {bases[1 + index % len(rows)] + "_V2" for index in taken_from[:2]}
    )
    connection = admin.connect()
    try:
        names = run_naming(connection, naming_sql, rows, taken)
        # every curve named, each name unique and not taken
        assert sorted(names) == [row[0] for row in rows]
        assert len(set(names.values())) == len(rows)
        assert not set(names.values()) & set(taken)
        for curve_id, name in names.items():
            base = bases[curve_id] if bases[curve_id].isascii() else None
            if base is not None:
                # the base name, or the base name with a _V<n> suffix
                assert name == base or re.fullmatch(re.escape(base) + r"_V([2-9]|[1-9]\d+)", name)
        # the earliest curve deriving a base name that is not taken keeps it
        for base in set(bases.values()) - set(taken):
            first = min(
                (row for row in rows if bases[row[0]] == base),
                key=lambda row: (row[4] is None, row[4] or datetime.min, row[0]),
            )
            assert names[first[0]] == base
        # deterministic: the same legacy rows in another order get the same names
        shuffled = data.draw(st.permutations(rows))
        assert run_naming(connection, naming_sql, shuffled, taken) == names
        # a later batch: the names given so far are taken, the new curves get free ones
        later = [(len(rows) + 1 + index, *row[1:]) for index, row in enumerate(rows[:5])]
        later_names = run_naming(connection, naming_sql, later, [*taken, *names.values()])
        assert len(set(later_names.values())) == len(later)
        assert not set(later_names.values()) & (set(taken) | set(names.values()))
    finally:
        connection.close()


def rename_sample_curves(db, seed: int) -> None:
    """Give the 72 SAMPLE curves adversarial, seeded random names and creation times."""
    generator = random.Random(seed)
    for curve_id in range(1, 73):
        db.execute(
            'update "Forecasts".curve_definitions set market = %s, mark_type = %s, '
            "location = %s, created_at = %s where curve_id = %s",
            (
                generator.choice(MARKETS),
                generator.choice(PRODUCTS),
                generator.choice(PARTS),
                generator.choice(CREATED),
                curve_id,
            ),
        )


def curve_names(db) -> dict[int, str]:
    return dict(db.query('select id, "curveName" from "CurveDefinition"'))


@pytest.mark.parametrize("seed", [7, 1234])
def test_random_legacy_names_get_unique_names_that_later_builds_keep(sample_db, seed):
    db = sample_db
    rename_sample_curves(db, seed)
    db.build()
    first = curve_names(db)
    assert len(first) == 72 == len(set(first.values()))
    # the application creates a curve under the name the next legacy curve will derive
    generator = random.Random(seed + 1)
    added = [("CAISO", "DA", f"Fresh Hub {seed}", datetime(2020, 1, 1))] + [
        (generator.choice(MARKETS), generator.choice(PRODUCTS), generator.choice(PARTS), created)
        for created in (datetime(2020, 1, 1), None, datetime(2030, 1, 1), None)
    ]
    app_name = base_name(*added[0][:3])
    app_id = db.scalar(
        'insert into "CurveDefinition" ("curveName", market, location, product, commodity, '
        "units, granularity) values (%s, 'X', 'X', 'X', 'X', 'X', 'X') returning id",
        (app_name,),
        role=LEGACY_APP_ROLE,
    )
    for market, product, location, created in added:
        db.execute(
            'insert into "Forecasts".curve_definitions (market, mark_type, location, created_at) '
            "values (%s, %s, %s, %s)",
            (market, product, location, created),
        )
    db.build(vars={"expected_curve_count": 77})
    second = curve_names(db)
    # nothing named before is renamed; the new names are unique among all
    assert {curve_id: second[curve_id] for curve_id in first} == first
    assert second[app_id] == app_name
    assert len(second) == 78 == len(set(second.values()))
    # the legacy curve deriving the application's name takes the next free suffix
    new_legacy = db.scalar(
        'select curve_id from "Forecasts".curve_definitions where location = %s', (added[0][2],)
    )
    assert second[new_legacy] == app_name + "_V2"
