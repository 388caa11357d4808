"""`forecast-migrate monitor`: runbook Step 7, the 24 to 48 hours after the switch. Reads only.

Each check is an analysis `monitor_<check>` (analyses/monitor/), rows of (subject, status,
detail, action); the check's status is its worst row's. They read catalogs, statistics against
model database_activity_baseline and the schedule tables: no price row, seconds at any size."""

import datetime
import json
import os
import time
from textwrap import shorten

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError
from ..context import Context
from ..database import fetch_value
from ..queries import EXTENSION_INSTALLED, SERVER_NOW
from ..state import read_transition

FORMATS = ("text", "json")
CHECKS = ("legacy_writes", "application_writes", "scheduled_jobs", "access", "performance",
          "errors")  # fmt: skip
STATUSES = ("ok", "warn", "fail")
SLOW = "monitor_slow_statements"  # check performance, where pg_stat_statements is installed
LAST_WRITES = "monitor_legacy_last_writes"  # check legacy_writes, while they are tables


def run(ctx: Context, format: str = "text", watch: float | None = None, as_of=None) -> int:
    shown: dict = {}  # --watch: per check, its status and, unless ok, its findings last round
    while True:
        checks = check(ctx, as_of)
        found = {
            c["name"]: (c["status"], c["summary"] * (c["status"] != "ok")) for c in checks["checks"]
        }
        changed = [c for c in checks["checks"] if shown.get(c["name"]) != found[c["name"]]]
        if format == "json":
            ctx.reporter.result(json.dumps({**checks, "checks": changed}, default=str))
        elif changed:
            ctx.reporter.result(
                f"Monitor (Step 7) at {checks['checked_at']}, as of {checks['as_of']}"
            )
            rows = [
                (c["name"], c["status"].upper(), shorten(c["summary"], 120), c["action"])
                for c in changed
            ]
            ctx.reporter.table(["check", "status", "summary", "next step"], rows)
        failed = any(c["status"] == "fail" for c in checks["checks"])
        shown = found
        try:
            if watch is None:
                break
            time.sleep(watch)
        except KeyboardInterrupt:
            break
    return EXIT_CHECK_FAILED if failed else EXIT_OK


def check(ctx: Context, as_of: datetime.datetime | None) -> dict:
    os.environ["FORECAST_MONITOR_AS_OF"] = as_of.isoformat() if as_of else ""  # scheduled_jobs
    with ctx.connected() as connection:
        transition = read_transition(connection, ctx.inventory)
        if not (transition.migrated or transition.cleaned_up):
            raise MigrationError(
                f"monitor: the database is not migrated ({transition.describe()})", EXIT_USAGE
            )
        checked_at = fetch_value(connection, SERVER_NOW)
        statements = fetch_value(connection, EXTENSION_INSTALLED, ("pg_stat_statements",))
    more = [SLOW] * statements + [LAST_WRITES] * bool(transition.objects.legacy_tables)
    rows, errors = ctx.dbt.show(*(f"monitor_{name}" for name in CHECKS), *more)
    if errors:
        raise MigrationError(f"monitor: {', '.join(errors)} could not run: {[*errors.values()][0]}")
    rows["monitor_performance"] += rows.get(SLOW, [])
    rows["monitor_legacy_writes"] += rows.get(LAST_WRITES, [])
    return {
        "checked_at": checked_at.isoformat(),
        "as_of": (as_of or checked_at).isoformat(),
        "checks": [_summarised(name, rows[f"monitor_{name}"]) for name in CHECKS],
    }


def _summarised(name: str, details: list[dict]) -> dict:
    """The check: the worst status of its rows, and theirs as its summary and next step."""
    status = max((row["status"] for row in details), key=STATUSES.index, default="ok")
    worst = [row for row in details if row["status"] == status]
    summary = "; ".join(f"{row['subject']}: {row['detail']}" for row in worst[:3])
    more = f" (and {len(worst) - 3} more)" if len(worst) > 3 else ""
    action = next((row["action"] for row in worst if row["action"]), None)
    return {"name": name, "status": status, "summary": summary + more, "action": action,
            "details": details}  # fmt: skip
