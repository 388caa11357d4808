"""`forecast-migrate cleanup`: the runbook's clean-up after 30 days.

Lists the backups and the legacy tables with their age; a dry run unless --execute, which
drops the backups past the retention (--older-than) and, with --legacy-tables, once the
migration is that old and the reconciliation tests pass, replaces the legacy tables by
read-only views of the same name over the new tables; anything younger only with --force."""

from .. import EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, MigrationError, backups, queries, run_log
from ..context import Context
from ..database import execute, fetch_all, fetch_value, transaction
from ..progress import DbtProgress
from ..state import read_transition

LOCK_TIMEOUT_MS = 5000
# the analyses of the clean-up of the legacy tables, compiled by dbt, run in our transaction
COMPARE_ANALYSIS = "legacy_compat_differences"
REPLACE_ANALYSIS = "legacy_tables_replaced_by_views"


def run(ctx: Context, execute: bool, legacy_tables: bool, retention_days: int, force: bool) -> int:
    if retention_days < 0:
        raise MigrationError("--older-than must not be negative", EXIT_USAGE)
    with ctx.connected() as connection:
        inventory = ctx.inventory
        transition = read_transition(connection, inventory)
        now = fetch_value(connection, queries.SERVER_NOW)
        dropped, rows = [], []  # the backups to drop; each backup with its age and action
        for backup in backups.list_backups(connection):
            old_enough = backup.age_days(now) >= retention_days
            action = "drop" if old_enough else ("drop (--force)" if force else "keep: too young")
            if old_enough or force:
                dropped.append(backup)
            taken = f"{backup.created_at:%Y-%m-%d %H:%M}"
            rows.append((backup.name, taken, round(backup.age_days(now), 1), action))
        ctx.reporter.result(f"Backups (retention {retention_days} days):")
        if rows:
            ctx.reporter.table(["backup", "taken", "age (days)", "action"], rows)
        else:
            ctx.reporter.result("  none")
        # the legacy tables, and why they may not be replaced (--legacy-tables) yet, if they may not
        tables, refusal = transition.objects.legacy_tables, None
        ctx.reporter.result(f'Legacy tables of "{inventory.legacy_schema}":')
        if not tables:
            ctx.reporter.result("  none left as tables (dropped, or views since the clean-up)")
        else:
            migrated_at = getattr(transition.last_successful_migrate, "finished_at", None)
            age = (now - migrated_at).total_seconds() / 86400 if migrated_at else None
            migrated = f"{migrated_at:%Y-%m-%d %H:%M}" if migrated_at else "not by forecast-migrate"
            migrated = migrated if transition.migrated else "not migrated"
            action = "replace by a view" if legacy_tables else "keep (replace with --legacy-tables)"
            age_text = round(age, 1) if age is not None else ""
            rows = [(table, migrated, age_text, action) for table in tables]
            ctx.reporter.table(["table", "migrated", "age (days)", "action"], rows)
            missing = sorted(set(inventory.legacy_tables) - set(tables))
            if legacy_tables and not transition.migrated:
                refusal = "the database is not migrated"
            elif legacy_tables and missing:
                refusal = f"the legacy schema lacks {', '.join(missing)}"
            elif legacy_tables and (age is None or age < retention_days) and not force:
                how_old = "of unknown age" if age is None else f"{age:.1f} days old"
                refusal = f"the migration is {how_old}, younger than {retention_days} days"
            if refusal:
                ctx.reporter.result(
                    f"  refused: legacy tables kept, {refusal} (--force overrides age)"
                )
        replaced = tables if legacy_tables and not refusal else ()
        # the drops: backups, then the project's views that read the legacy tables
        statements = [queries.drop_schema(backup.name, cascade=True) for backup in dropped]
        present = {obj.name for obj in transition.objects.relations}
        views = [
            (relation.schema, relation.identifier)
            for relation in inventory.relations
            if relation.is_view
            and relation.schema != inventory.target_schema
            and relation.identifier in present
        ]
        if replaced and views:
            statements.append(queries.with_relations("drop view {}", views))
        if not execute:
            ctx.reporter.result()
        if not (statements or replaced):
            ctx.reporter.result("Nothing to drop." if execute else "Dry run: nothing to drop.")
        elif not execute:
            ctx.reporter.result("Dry run; with --execute cleanup would run, in one transaction:")
            for statement in statements:
                ctx.reporter.result(f"  {statement.as_string(connection)};")
            if replaced:
                ctx.reporter.result(
                    f"  the statements of analysis {REPLACE_ANALYSIS} (`dbt compile --select "
                    f"{REPLACE_ANALYSIS}` shows them), once the legacy tables are locked and "
                    f"analysis {COMPARE_ANALYSIS} finds no difference"
                )
        else:
            arguments = ["--legacy-tables" if legacy_tables else "", "--force" if force else ""]
            arguments.append(f"--older-than {retention_days}")
            with run_log.exclusive(connection, "cleanup"):
                also = f" and replace the legacy tables {', '.join(replaced)} by views"
                ctx.confirm(f"Drop {len(dropped)} backup(s){also if replaced else ''}?")
                with run_log.recorded(connection, "cleanup", arguments) as record:
                    compiled = {}
                    if replaced:
                        reconcile(ctx)
                        compiled = ctx.dbt.compiled(f"{COMPARE_ANALYSIS} {REPLACE_ANALYSIS}")
                    with ctx.reporter.step("clean-up transaction"):
                        clean_up(ctx, replaced, statements, compiled)
                    record.counts["dropped_backups"] = [backup.name for backup in dropped]
                    record.counts["legacy_tables_replaced_by_views"] = list(replaced)
                    record.message = f"dropped {len(dropped)} backup(s)" + (
                        "; the legacy tables are views now" if replaced else ""
                    )
            for backup in dropped:
                ctx.reporter.result(f"Dropped backup {backup.name}")
            if replaced:
                ctx.reporter.result(
                    f"Replaced the legacy tables {', '.join(replaced)} of "
                    f'"{inventory.legacy_schema}" by read-only views over the new tables: '
                    "old queries return the same rows, writes fail"
                )
    return EXIT_CHECK_FAILED if refusal else EXIT_OK


def reconcile(ctx: Context) -> None:
    """Runbook Step 4's data tests; the legacy tables are replaced only when none fails."""
    progress = DbtProgress(ctx.reporter)
    title = "reconciliation tests (dbt test --exclude source:* test_type:unit)"
    if not progress.invoke(ctx.dbt, title, "test", "--exclude", "source:*", "test_type:unit"):
        raise MigrationError(
            f"reconciliation tests failed ({progress.first_problem()}): the legacy tables are kept"
        )
    ctx.reporter.result(f"Reconciliation tests: {progress.count('test', 'pass', 'warn')} passed")


def clean_up(ctx: Context, replaced: tuple, statements: list, compiled: dict[str, str]) -> None:
    """One transaction: lock the legacy tables, check each compat view still equals its legacy
    table, run the drops, then REPLACE_ANALYSIS; gives up rather than wait."""
    with transaction("cleanup transaction") as connection:
        execute(connection, queries.set_lock_timeout(LOCK_TIMEOUT_MS))
        if replaced:
            legacy = [(ctx.inventory.legacy_schema, table) for table in replaced]
            lock = queries.with_relations("lock table {} in access exclusive mode", legacy)
            execute(connection, lock)
            rows = fetch_all(connection, compiled[COMPARE_ANALYSIS])
            if differences := [
                f"{table}: {only_legacy} row(s) only in the table, {only_compat} only in {view}"
                for table, view, only_legacy, only_compat in rows
                if only_legacy or only_compat
            ]:
                raise MigrationError(
                    f"a compat view no longer equals its legacy table ({'; '.join(differences)})"
                    ": the legacy tables changed since the last build; run `forecast-migrate "
                    "migrate --rerun`, then clean up again. Nothing was dropped",
                    EXIT_CHECK_FAILED,
                )
            ctx.reporter.result(f"Compat views equal their legacy tables: {', '.join(replaced)}")
        for statement in statements:
            execute(connection, statement)
        if replaced:
            execute(connection, compiled[REPLACE_ANALYSIS])
