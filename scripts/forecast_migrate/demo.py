"""`make demo`: the whole migration on an embedded server with a SAMPLE legacy database."""

import argparse
import os
import sys

from . import MigrationError, dbt, embedded

# The old application's role of the SAMPLE database: read/write on the legacy tables, which
# the migration then gives it on the new tables too (it creates no role itself).
SAMPLE_APPLICATION_ROLE = ["run-operation", "create_sample_application_role", "--args",
                           "{role_name: forecast_app}"]  # fmt: skip
MIGRATED_HINT = """
The embedded server is running. To use it:
  export {exports}
  psql                    # the new tables are in schema public
  .venv/bin/dbt test      # re-run the verification
  make stop               # stop the server"""
REHEARSAL_HINT = """
Database {database} holds the SAMPLE legacy schema, not migrated. To rehearse:
  export {exports}
  .venv/bin/forecast-migrate check      # then migrate, status, rollback, cleanup
  make stop                             # stop the server"""


def run(price_rows: int = 20000, rehearsal: str | None = None) -> int:
    env = embedded.start()
    if rehearsal is not None:
        embedded.recreate_database(env, rehearsal)
        env["PGDATABASE"] = rehearsal
    os.environ.update(env)
    sample_args = f"{{price_rows: {price_rows}, replace: true}}"
    steps = [
        ["run-operation", "create_sample_legacy_database", "--args", sample_args],
        SAMPLE_APPLICATION_ROLE,
        *([] if rehearsal else [["build"]]),
    ]
    for step in steps:
        if not dbt.invoke(step).success:
            raise MigrationError(f"dbt {' '.join(step[:2])} failed (see the output above)")
    exports = " ".join(f"{key}={value!r}" for key, value in env.items())
    hint = REHEARSAL_HINT if rehearsal else MIGRATED_HINT
    print(hint.format(database=rehearsal, exports=exports))
    return 0


def main(argv: list[str] | None = None) -> int:
    from .cli import guarded

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--price-rows",
        type=int,
        default=20000,
        help="sample legacy price rows to generate (default 20000)",
    )
    parser.add_argument(
        "--rehearsal",
        metavar="DATABASE",
        help="put the sample into a fresh database DATABASE and do not migrate it "
        "(to rehearse the forecast-migrate commands)",
    )
    args = parser.parse_args(argv)
    return guarded(lambda: run(args.price_rows, args.rehearsal))


if __name__ == "__main__":
    sys.exit(main())
