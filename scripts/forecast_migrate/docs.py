"""`make docs`: the dbt docs site as one self-contained HTML file, and the coverage check.

The coverage check (dbt-bouncer.yml) fails on anything undescribed or any untested model."""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from . import PROJECT_DIR, MigrationError, dbt, demo, embedded
from .context import Context
from .inventory import find

SITE = PROJECT_DIR / "target" / "static_index.html"


def _say(message: str) -> None:
    print(f"docs: {message}", file=sys.stderr)


def check_coverage(target_path: Path = PROJECT_DIR / "target") -> None:
    bouncer = Path(sys.executable).with_name("dbt-bouncer")
    env = {**os.environ, "DBT_PROJECT_DIR": str(target_path.parent), "COLUMNS": "200"}
    command = [bouncer, "--config-file", PROJECT_DIR / "dbt-bouncer.yml", "--show-all-failures"]
    if subprocess.run(command, cwd=PROJECT_DIR, env=env).returncode != 0:
        raise MigrationError("documentation or test coverage has gaps (see above)")


def run(server: str = "embedded", coverage: bool = True) -> int:
    began = time.monotonic()
    stop_after = server == "embedded" and not (embedded.DEFAULT_PGDATA / "postmaster.pid").exists()
    try:
        if server == "embedded":
            os.environ.update(embedded.start())
            # the embedded server (where PG* points now) holds a SAMPLE database built by the models
            ctx = Context("docs")
            with ctx.connected() as connection:
                legacy_present = bool(find(connection, ctx.inventory).legacy_tables)
            steps = [demo.SAMPLE_APPLICATION_ROLE, ["build"]]
            if not legacy_present:
                _say("no legacy tables on the embedded server: creating the SAMPLE legacy database")
                steps.insert(0, ["run-operation", "create_sample_legacy_database"])
            _say("dbt build (brings the sample database up to date with the models)")
            for step in steps:
                if not dbt.invoke(step, quiet=True).success:
                    raise MigrationError(f"dbt {' '.join(step[:2])} failed: `make demo` shows why")
        _say("dbt docs generate --static")
        # a full parse: partial parsing can drop singular tests' descriptions (dbt-core#10801)
        if not dbt.invoke(["docs", "generate", "--static", "--no-partial-parse"]).success:
            raise MigrationError("dbt docs generate failed (see the output above)")
    finally:
        if stop_after:
            embedded.stop()
    if not SITE.exists():
        raise MigrationError(f"dbt did not write {SITE}")
    if coverage:
        check_coverage()
    size, seconds = SITE.stat().st_size / 1e6, time.monotonic() - began
    _say(f"wrote {SITE.relative_to(PROJECT_DIR)} ({size:.1f} MB) in {seconds:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .cli import guarded

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server",
        choices=("embedded", "env"),
        default="embedded",
        help="embedded: the sample database of `make demo` (default); "
        "env: the server the PG* variables name, read only",
    )
    parser.add_argument(
        "--no-coverage", action="store_true", help="skip the documentation coverage check"
    )
    args = parser.parse_args(argv)
    return guarded(lambda: run(server=args.server, coverage=not args.no_coverage))


if __name__ == "__main__":
    sys.exit(main())
