"""The benchmark (`make bench`, `python -m forecast_bench`), apart from the forecast-migrate
commands: the migration timed against the raw-copy floor; results in BENCHMARKS.md."""
