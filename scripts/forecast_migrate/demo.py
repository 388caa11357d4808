"""`make demo`: the whole migration on an embedded server with a SAMPLE legacy database.

Starts the embedded PostgreSQL, creates the sample legacy schema (generated data, labelled
as such) and the old application's role with its privileges on it, and runs `dbt build`,
which prints the runbook's two summary lines. The server keeps running so psql and dbt can
be pointed at it.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import dbt, embedded

# The old application's role of the SAMPLE database: read/write on the legacy tables, which
# the migration then gives it on the new tables too (it creates no role itself).
SAMPLE_APPLICATION_ROLE = [
    "run-operation",
    "create_sample_application_role",
    "--args",
    "{role_name: forecast_app}",
]


def run(price_rows: int = 20000, replace: bool = True, rehearsal: str | None = None) -> int:
    """Run the demo; return the process exit code.

    With `rehearsal`, the sample goes into a fresh database of that name and is not
    migrated: a never-migrated database to rehearse the forecast-migrate maintenance window on.
    """
    env = embedded.start()
    if rehearsal is not None:
        _recreate_database(env, rehearsal)
        env["PGDATABASE"] = rehearsal
    os.environ.update(env)
    steps = [
        [
            "run-operation",
            "create_sample_legacy_database",
            "--args",
            f"{{price_rows: {price_rows}, replace: {str(replace).lower()}}}",
        ],
        SAMPLE_APPLICATION_ROLE,
        *([] if rehearsal else [["build"]]),
    ]
    for step in steps:
        if not dbt.invoke(step).success:
            print(f"error: dbt {' '.join(step[:2])} failed (see the output above)", file=sys.stderr)
            return 1
    exports = " ".join(f"{key}={value!r}" for key, value in env.items())
    if rehearsal:
        print(
            f"\nDatabase {rehearsal} holds the SAMPLE legacy schema, not migrated. To rehearse:\n"
            f"  export {exports}\n"
            "  .venv/bin/forecast-migrate check      # then migrate, status, rollback, cleanup\n"
            "  make stop                             # stop the server"
        )
        return 0
    print(
        f"\nThe embedded server is running. To use it:\n  export {exports}\n"
        "  psql                    # the new tables are in schema public\n"
        "  .venv/bin/dbt test      # re-run the verification\n"
        "  make stop               # stop the server"
    )
    return 0


def _recreate_database(env: dict[str, str], name: str) -> None:
    """Drop and create database `name` on the demo server."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], dbname=env["PGDATABASE"]
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    finally:
        connection.close()


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
    return guarded(lambda: run(price_rows=args.price_rows, rehearsal=args.rehearsal))


if __name__ == "__main__":
    sys.exit(main())
