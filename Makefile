# The two commands a new machine needs:  make demo   and   make test
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: venv node demo test lint unit stop docs bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@test -f profiles.yml || cp profiles.example.yml profiles.yml
	touch $@

## make node: the pinned Prisma 7 toolchain (package-lock.json) in node_modules, for the
## Prisma tests; install scripts off: they would download engines the client does not use
NODE_MODULES := node_modules/.package-lock.json
node: $(NODE_MODULES)

$(NODE_MODULES): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

## make demo: embedded PostgreSQL + SAMPLE legacy database + dbt build, prints the summary lines
demo: venv
	$(PY) -m forecast_migrate.demo

## make test: linters, then the pytest suite against a real PostgreSQL, on both cores (two
## xdist workers, each with its own server)
test: venv lint $(NODE_MODULES)
	$(BIN)/pytest -n 2

## make lint: ruff, then sqlfluff on every core (it lints each variant of a template, both
## branches of an if: 2 min 16 s on one core, 1 min 26 s on two, measured 2026-12-07)
lint: venv
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/sqlfluff lint --processes 0 models tests analyses

## make docs: target/static_index.html, the dbt docs site in one file (embedded server, SAMPLE
## data), then the coverage check: every model and column described, every model tested
docs: venv
	$(PY) -m forecast_migrate.docs

## make bench [ROWS=20000000] [SHAPE=per_curve]: time the migration against the raw-copy floor
## (not part of test)
ROWS ?= 5000000
SHAPE ?= interleaved
bench: venv
	$(PY) -m forecast_bench --rows $(ROWS) --shape $(SHAPE) $(BENCH_ARGS)

stop: venv
	$(PY) -c 'from forecast_migrate import embedded; embedded.stop()'

clean:
	rm -rf target logs .pytest_cache
