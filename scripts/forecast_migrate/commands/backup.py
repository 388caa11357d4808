"""`forecast-migrate backup`: a verified copy of the legacy tables (runbook Step 2), or with
`--verify NAME` a re-check of an existing backup against its manifest."""

from .. import EXIT_CHECK_FAILED, EXIT_OK, backups
from ..context import Context


def run(ctx: Context, name: str | None = None, verify: str | None = None) -> int:
    if verify is None:
        backups.validate_name(name)
        with ctx.locked_for_writing() as connection:
            backups.take(connection, name, ctx.inventory, ctx.reporter)
        return EXIT_OK
    name = backups.validate_name(verify)
    with ctx.connected() as connection:
        backup = backups.read_existing(connection, name)
        with ctx.reporter.step(f"verify backup {name}"):
            checks = backups.verify(connection, backup)
    ctx.reporter.result(f"Backup {name} (taken {backup.created_at:%Y-%m-%d %H:%M:%S %Z}):")
    for check in checks:
        ctx.reporter.result(f"  {check.describe()}")
    if all(check.ok for check in checks):
        ctx.reporter.result("Backup verified: every copy matches its manifest.")
        return EXIT_OK
    ctx.reporter.result("Backup damaged: a copy no longer matches its manifest.")
    return EXIT_CHECK_FAILED
