"""Stand-ins for dbt's run-time Jinja context, so sqlfluff's jinja templater can render
models and macros without a database (sqlfluff imports this module's names at top level)."""

import datetime

execute = False
run_started_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


class _Anything:
    """Absorbs any attribute access or call and renders as a placeholder identifier."""

    def __getattr__(self, name):
        # jinja's sandbox asks these to decide whether a call is safe
        if name.startswith("_") or name in ("unsafe_callable", "alters_data"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __iter__(self):
        return iter(())

    def __str__(self):
        return "placeholder"


adapter = api = env_var = exceptions = flags = _Anything()
