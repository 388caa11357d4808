"""Documentation and test coverage of the dbt project, read from dbt's artifacts.

Reads `target/manifest.json` (what the project declares) and `target/catalog.json` (the
columns that exist in the database, written by `dbt docs generate`). Fails when any
model, source, source table, seed, analysis, exposure, singular test, macro of this
project or macro argument lacks a description, when any column lacks one (a column that
exists in the database counts even if no YAML mentions it), or when any model has no
data test. Run by `make docs`:

    python -m forecast_migrate.docs_coverage [--target-path target]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import PROJECT_DIR, MigrationError

PROJECT_NAME = "forecast_migration"

# `{% macro name(args) %}` or `{% test name(args) %}`; `-` trims whitespace
_SIGNATURE = re.compile(r"{%-?\s*(macro|test)\s+(\w+)\s*\((.*?)\)\s*-?%}", re.DOTALL)


@dataclass
class Category:
    """One kind of thing that must be described (or tested): how many, and which lack it."""

    label: str
    total: int = 0
    missing: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool) -> None:
        self.total += 1
        if not ok:
            self.missing.append(name)

    @property
    def covered(self) -> int:
        return self.total - len(self.missing)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total


@dataclass
class Coverage:
    """The result of a coverage check: one Category per kind, plus notes that do not fail."""

    categories: list[Category]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(category.total for category in self.categories)

    @property
    def covered(self) -> int:
        return sum(category.covered for category in self.categories)

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total

    @property
    def complete(self) -> bool:
        return all(not category.missing for category in self.categories)


def _described(node: dict) -> bool:
    return bool((node.get("description") or "").strip())


def macro_arguments(macro_sql: str) -> list[str]:
    """The argument names of a macro or generic test from its `{% macro name(...) %}` line.

    >>> macro_arguments("{% macro m(a, b='x, y', c=[1, 2]) -%} ... {%- endmacro %}")
    ['a', 'b', 'c']
    """
    match = _SIGNATURE.search(macro_sql)
    if not match or not match.group(3).strip():
        return []
    names, depth, current = [], 0, ""
    quote = None
    for char in match.group(3):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current)
            current = ""
            continue
        current += char
    names.append(current)
    return [name.split("=", 1)[0].strip() for name in names if name.strip()]


def _column_names(declared: dict, catalog_entry: dict | None) -> Iterable[tuple[str, dict | None]]:
    """Every column of a node: those in the catalog (the database) first, then those only
    declared in YAML; each with its declared entry, matched case-insensitively."""
    by_lower = {name.lower(): entry for name, entry in declared.items()}
    seen = set()
    for name in (catalog_entry or {}).get("columns", {}):
        seen.add(name.lower())
        yield name, declared.get(name) or by_lower.get(name.lower())
    for name, entry in declared.items():
        if name.lower() not in seen:
            yield name, entry


def check(manifest: dict, catalog: dict | None, project: str = PROJECT_NAME) -> Coverage:
    """Check descriptions and model tests in dbt's manifest (and catalog, when given)."""
    models = Category("models described")
    tested = Category("models tested")
    model_columns = Category("model columns described")
    sources = Category("sources described")
    source_tables = Category("source tables described")
    source_columns = Category("source columns described")
    seeds = Category("seeds described")
    seed_columns = Category("seed columns described")
    singular_tests = Category("singular tests described")
    analyses = Category("analyses described")
    exposures = Category("exposures described")
    macros = Category("macros described")
    arguments = Category("macro arguments described")
    overview = Category("project overview (__overview__)")
    notes: list[str] = []

    catalog_nodes = {**(catalog or {}).get("nodes", {}), **(catalog or {}).get("sources", {})}
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node.get("package_name") == project
    }
    tested_models = {
        dependency
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        for dependency in node.get("depends_on", {}).get("nodes", [])
    }

    def check_columns(unique_id: str, node: dict, category: Category) -> None:
        in_database = catalog_nodes.get(unique_id)
        if catalog is not None and in_database is None:
            notes.append(
                f"{unique_id} is not in the catalog (not built?): only YAML columns checked"
            )
        for name, entry in _column_names(node.get("columns", {}), in_database):
            if in_database is not None and name.lower() not in {
                column.lower() for column in in_database["columns"]
            }:
                notes.append(f"{node['name']}.{name} is documented but not in the database")
            category.add(f"{node['name']}.{name}", entry is not None and _described(entry))

    for unique_id, node in sorted(nodes.items()):
        kind = node["resource_type"]
        if kind == "model":
            models.add(node["name"], _described(node))
            tested.add(node["name"], unique_id in tested_models)
            check_columns(unique_id, node, model_columns)
        elif kind == "seed":
            seeds.add(node["name"], _described(node))
            check_columns(unique_id, node, seed_columns)
        elif kind == "analysis":
            analyses.add(node["name"], _described(node))
        elif kind == "test" and not node.get("test_metadata"):
            singular_tests.add(node["name"], _described(node))

    source_descriptions: dict[str, bool] = {}
    for unique_id, node in sorted(manifest["sources"].items()):
        if node.get("package_name") != project:
            continue
        source_descriptions.setdefault(
            node["source_name"], bool((node.get("source_description") or "").strip())
        )
        source_tables.add(f"{node['source_name']}.{node['name']}", _described(node))
        check_columns(unique_id, node, source_columns)
    for name, ok in sorted(source_descriptions.items()):
        sources.add(name, ok)

    for node in sorted(manifest.get("exposures", {}).values(), key=lambda n: n["name"]):
        if node.get("package_name") == project:
            exposures.add(node["name"], _described(node))

    for node in sorted(manifest["macros"].values(), key=lambda n: n["name"]):
        if node.get("package_name") != project:
            continue
        macros.add(node["name"], _described(node))
        documented = {argument["name"]: argument for argument in node.get("arguments", [])}
        for argument in macro_arguments(node.get("macro_sql", "")):
            entry = documented.get(argument)
            arguments.add(f"{node['name']}({argument})", entry is not None and _described(entry))

    overview.add("__overview__", f"doc.{project}.__overview__" in manifest.get("docs", {}))

    return Coverage(
        categories=[
            models,
            tested,
            model_columns,
            sources,
            source_tables,
            source_columns,
            seeds,
            seed_columns,
            singular_tests,
            analyses,
            exposures,
            macros,
            arguments,
            overview,
        ],
        notes=notes,
    )


def format_report(coverage: Coverage) -> str:
    """The coverage as a small table, then every gap, then the notes."""
    width = max(len(category.label) for category in coverage.categories)
    lines = ["Documentation and test coverage"]
    for category in coverage.categories:
        lines.append(
            f"  {category.label:<{width}}  {category.covered:>4}/{category.total:<4}"
            f"  {category.percent:6.1f} %"
        )
    total = f"{coverage.covered:>4}/{coverage.total:<4}  {coverage.percent:6.1f} %"
    lines.append(f"  {'total':<{width}}  {total}")
    for category in coverage.categories:
        for name in category.missing:
            lines.append(f"missing: {category.label.rsplit(' ', 1)[0]}: {name}")
    lines.extend(f"note: {note}" for note in coverage.notes)
    return "\n".join(lines)


def load(target_path: Path) -> tuple[dict, dict | None]:
    """Read manifest.json (required) and catalog.json (optional) from a dbt target dir."""
    manifest_file = target_path / "manifest.json"
    if not manifest_file.exists():
        raise MigrationError(f"{manifest_file} not found: run `dbt docs generate` first", 2)
    manifest = json.loads(manifest_file.read_text())
    catalog_file = target_path / "catalog.json"
    catalog = json.loads(catalog_file.read_text()) if catalog_file.exists() else None
    return manifest, catalog


def run(target_path: Path = PROJECT_DIR / "target", require_catalog: bool = True) -> Coverage:
    """Check the artifacts in `target_path`; raise MigrationError (exit 1) on any gap."""
    manifest, catalog = load(target_path)
    if catalog is None and require_catalog:
        raise MigrationError(
            f"{target_path / 'catalog.json'} not found: run `dbt docs generate` against a "
            "migrated database so columns that exist only in the database are checked too",
            2,
        )
    coverage = check(manifest, catalog)
    print(format_report(coverage))
    if not coverage.complete:
        gaps = coverage.total - coverage.covered
        raise MigrationError(f"documentation coverage {coverage.percent:.1f} %: {gaps} gap(s)", 1)
    return coverage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target-path",
        type=Path,
        default=PROJECT_DIR / "target",
        help="dbt target directory holding manifest.json and catalog.json (default target/)",
    )
    parser.add_argument(
        "--no-catalog",
        action="store_true",
        help="check the manifest alone (columns only in the database are then not seen)",
    )
    args = parser.parse_args(argv)
    try:
        run(args.target_path, require_catalog=not args.no_catalog)
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
