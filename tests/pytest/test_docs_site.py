"""The docs site a reviewer opens: `dbt docs generate --static` on a migrated database is one
self-contained file, every model and column in it is described and every model tested, and
in a real (headless) browser its lineage graph shows the legacy tables feeding the new
tables and the compat view."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
from browser import LINEAGE_GRAPH_JS, Browser, dump_dom
from forecast_migrate import MigrationError, dbt, docs

# one worker runs this module, so the docs site is generated once
pytestmark = pytest.mark.xdist_group("docs")

PROJECT = "forecast_migration"
LEGACY_SOURCES = [
    f"source.{PROJECT}.legacy.{table}"
    for table in ("curve_definitions", "price_forecasts", "curve_schedule")
]
NEW_TABLES = [
    "CurveDefinition",
    "CurveInstance",
    "PriceForecast",
    "CurveSchedule",
    "LegacyCurveMapping",
]
COMPAT = f"model.{PROJECT}.curve_definitions_compat"


@pytest.fixture(scope="module")
def docs_target(migrated, tmp_path_factory) -> Path:
    """dbt's target dir after `dbt docs generate --static` against the migrated database."""
    target = tmp_path_factory.mktemp("docs") / "target"
    result = migrated.dbt(
        "docs", "generate", "--static", "--no-partial-parse", "--target-path", str(target)
    )
    assert result.success, result.exception
    return target


@pytest.fixture(scope="module")
def site(docs_target) -> Path:
    return docs_target / "static_index.html"


def test_the_site_is_one_self_contained_file(site):
    html = site.read_text()
    assert len(html) > 1_000_000
    # no script, stylesheet or data loaded from anywhere else: it opens from a file
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+rel=.?stylesheet", html)
    assert "CurveDefinition" in html and "Energy price forecast migration" in html


def test_every_model_and_column_is_described_and_every_model_tested(docs_target, capfd):
    catalog = json.loads((docs_target / "catalog.json").read_text())
    # the catalog really was read: the new tables' columns come from the database
    assert f"model.{PROJECT}.CurveDefinition" in catalog["nodes"]
    docs.check_coverage(docs_target)
    assert "All checks passed" in capfd.readouterr().out


def test_dbt_prints_no_warning(tmp_path):
    """A warning on every run teaches users to ignore warnings: a full parse emits none."""
    warnings: list[str] = []

    def collect(event) -> None:
        if event.info.level in ("warn", "error"):
            warnings.append(event.info.msg)

    args = ["parse", "--no-partial-parse", "--target-path", str(tmp_path)]
    result = dbt.invoke(args, quiet=True, callbacks=[collect])
    assert result.success, result.exception
    assert warnings == []


def test_the_coverage_check_names_every_gap(docs_target, tmp_path, capfd):
    """Gaps of each kind the check guards, made in a copy of the artifacts."""
    target = tmp_path / "target"
    shutil.copytree(docs_target, target, ignore=shutil.ignore_patterns("*.html"))
    manifest = json.loads((target / "manifest.json").read_text())
    nodes, macros = manifest["nodes"], manifest["macros"]
    nodes[f"model.{PROJECT}.CurveInstance"]["columns"]["status"]["description"] = ""
    nodes[f"analysis.{PROJECT}.pending_legacy_rows"]["description"] = ""
    nodes[f"test.{PROJECT}.assert_compat_views_match_legacy"]["description"] = ""
    arguments = macros[f"macro.{PROJECT}.below_application_id_range"]["arguments"]
    arguments[0]["description"] = ""
    manifest["sources"][f"source.{PROJECT}.legacy.curve_schedule"]["columns"]["curve_id"][
        "description"
    ] = ""
    # the DAG rules: a model outside staging reading a source, a hard-coded relation
    derived = nodes[f"model.{PROJECT}.int_curve_names_derived"]
    derived["depends_on"]["nodes"].append(f"source.{PROJECT}.legacy.price_forecasts")
    runs = nodes[f"model.{PROJECT}.ScheduleRun"]
    runs["raw_code"] += '\nunion all select * from "Forecasts".curve_schedule'
    # a staging model reading two sources, a model of 130 lines, a model read by 8 others
    schedules = nodes[f"model.{PROJECT}.stg_legacy__curve_schedule"]
    schedules["depends_on"]["nodes"].append(f"source.{PROJECT}.legacy.price_forecasts")
    nodes[f"model.{PROJECT}.int_curve_schedules_chosen"]["raw_code"] += "\n" * 130
    rules = f"model.{PROJECT}.int_curve_product_rules_matched"
    readers = [
        node
        for key, node in nodes.items()
        if node["resource_type"] == "model"
        and key != rules
        and rules not in node["depends_on"]["nodes"]
    ]
    for reader in readers[:8]:
        reader["depends_on"]["nodes"].append(rules)
    (target / "manifest.json").write_text(json.dumps(manifest))
    # a column that exists only in the database
    catalog = json.loads((target / "catalog.json").read_text())
    columns = catalog["nodes"][f"model.{PROJECT}.CurveSchedule"]["columns"]
    columns["added_by_hand"] = {**columns["id"], "name": "added_by_hand"}
    (target / "catalog.json").write_text(json.dumps(catalog))
    capfd.readouterr()
    with pytest.raises(MigrationError):
        docs.check_coverage(target)
    out = capfd.readouterr().out
    for gap in (
        "CurveInstance",
        "pending_legacy_rows",
        "assert_compat_views_match_legacy",
        "below_application_id_range",
        "curve_schedule.curve_id",
        "added_by_hand",
    ):
        assert gap in out, gap
    for check, model in (
        ("check_source_used_by_models_in_same_directory", "legacy_price_forecasts"),
        ("check_model_does_not_directly_join_to_source", "int_curve_names_derived"),
        ("check_model_code_does_not_contain_regexp_pattern", "ScheduleRun"),
        ("check_model_depends_on_multiple_sources", "stg_legacy__curve_schedule"),
        ("check_model_max_number_of_lines", "int_curve_schedules_chosen"),
        ("check_model_max_fanout", "int_curve_product_rules_matched"),
    ):
        assert re.search(rf"{check}:\d+:{model}", out), (check, model)


def reachable(edges: list[list[str]], start: str) -> set[str]:
    downstream: dict[str, set[str]] = {}
    for source, target in edges:
        downstream.setdefault(source, set()).add(target)
    seen, todo = set(), [start]
    while todo:
        for node in downstream.get(todo.pop(), ()):
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return seen


def test_the_lineage_graph_shows_the_legacy_tables_feeding_the_new_tables_and_the_compat_view(
    site, tmp_path
):
    selector = "+curve_definitions_compat+ " + " ".join(f"+{table}" for table in NEW_TABLES)
    url = f"{site.as_uri()}#!/model/{COMPAT}?g_v=1&g_i={urllib.parse.quote(selector)}"
    with Browser(url) as browser:
        graph = browser.wait_for(LINEAGE_GRAPH_JS)
        assert graph, "the lineage graph did not render"
        screenshot = browser.screenshot(tmp_path / "lineage.png")
    print(f"lineage screenshot: {screenshot}")
    nodes, edges = graph["nodes"], graph["edges"]
    assert {nodes[source] for source in LEGACY_SOURCES} == {
        "legacy.curve_definitions", "legacy.price_forecasts", "legacy.curve_schedule",
    }  # fmt: skip
    targets = [f"model.{PROJECT}.{table}" for table in NEW_TABLES] + [COMPAT]
    assert set(targets) <= set(nodes)
    # each legacy table reaches the tables made from it, and the compat view
    fed_by = {source: reachable(edges, source) for source in LEGACY_SOURCES}
    assert set(targets) <= fed_by[f"source.{PROJECT}.legacy.curve_definitions"]
    assert {f"model.{PROJECT}.{table}" for table in ("CurveInstance", "PriceForecast")} <= fed_by[
        f"source.{PROJECT}.legacy.price_forecasts"
    ]
    assert f"model.{PROJECT}.CurveSchedule" in fed_by[f"source.{PROJECT}.legacy.curve_schedule"]
    # and the application page that reads the compat view hangs off it
    assert f"exposure.{PROJECT}.curve_schedule_page" in reachable(edges, COMPAT)
    assert screenshot.stat().st_size > 10_000


def rendered_text(html: str) -> str:
    """The visible text of a dumped DOM: scripts (which embed the manifest) and tags removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.replace("&quot;", '"').replace("&amp;", "&").split())


def test_the_overview_and_a_model_page_render(site):
    overview = rendered_text(dump_dom(f"{site.as_uri()}#!/overview"))
    for text in (
        "Runbook steps and the commands that perform them",
        'dbt test --select "source:*"',
        "forecast-migrate verify",
    ):
        assert text in overview, text
    compat_page = rendered_text(dump_dom(f"{site.as_uri()}#!/model/{COMPAT}"))
    assert (
        "Backward compatibility. The legacy curve_definitions shape read from the new tables"
        in compat_page
    )
    depends_on = compat_page[compat_page.index("Depends On") :]
    assert "CurveDefinition" in depends_on and "stg_legacy__curve_definitions" in depends_on
