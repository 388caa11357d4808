"""`forecast-migrate check`: the readiness report of runbook Step 1 and the source tests.

Writes nothing. Exit code 1 when a source test fails (a blocker), 0 otherwise."""

from .. import EXIT_CHECK_FAILED, EXIT_OK
from ..context import Context
from ..readiness import check_readiness
from ..state import require_legacy_schema


def run(ctx: Context) -> int:
    with ctx.connected() as connection:
        require_legacy_schema(connection, ctx.inventory)
    return EXIT_CHECK_FAILED if check_readiness(ctx) else EXIT_OK
