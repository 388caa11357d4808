"""The description rules of the coverage check that dbt-bouncer has no check for: source
and seed columns, singular tests, analyses and the docs site's overview page."""

from dbt_bouncer.check_framework.decorator import check, fail

PROJECT = "forecast_migration"


def _described(entry) -> bool:
    return len((entry.description or "").strip()) >= 4


@check
def check_column_descriptions_of_seeds_and_sources(ctx):
    """Every column a seed or source table declares has a description."""
    manifest = ctx.manifest_obj.manifest
    seeds = [node for node in manifest.nodes.values() if node.resource_type == "seed"]
    missing = [
        f"{node.name}.{name}"
        for node in [*manifest.sources.values(), *seeds]
        if node.package_name == PROJECT
        for name, column in (node.columns or {}).items()
        if not _described(column)
    ]
    if missing:
        fail(f"columns without a description: {missing}")


@check
def check_singular_test_description_populated(test):
    """A singular test (a query in tests/) says what it verifies."""
    if test.package_name == PROJECT and test.test_metadata is None and not _described(test):
        fail(f"singular test `{test.name}` has no description")


@check
def check_analysis_description_populated(ctx):
    """Every analysis says what it answers."""
    missing = [
        node.name
        for node in ctx.manifest_obj.manifest.nodes.values()
        if node.resource_type == "analysis"
        and node.package_name == PROJECT
        and not _described(node)
    ]
    if missing:
        fail(f"analyses without a description: {missing}")


@check
def check_project_overview_written(ctx):
    """The docs site opens on the project's own overview (doc block __overview__)."""
    if f"doc.{PROJECT}.__overview__" not in ctx.manifest_obj.manifest.docs:
        fail("no `{% docs __overview__ %}` block: the docs site opens on dbt's default page")
