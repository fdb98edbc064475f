# 报到 — developer commands. Everything a fresh machine needs is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
E2E_STAMP := $(VENV)/.installed-e2e
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run demo test lint typecheck check-migrations pytest e2e bench clean

help:
	@echo "make run    — 安装依赖、迁移数据库、载入演示数据并启动 http://$(HOST):$(PORT)"
	@echo "make test   — 代码检查、迁移检查、全部测试（含浏览器测试）"
	@echo "make e2e    — 仅浏览器测试（无头 Chromium）"
	@echo "make bench  — 性能基准：10 万行名册导入与导出、1 万人应急呼叫与点名、10 万党员 100 万条服务记录的数据看板（SQLite，及可用时的 PostgreSQL；只跑一项：BENCH_ARGS=\"--only emergency\"）"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Front-end assets (ECharts) come from the npm registry with the npm client, checked against pinned checksums;
# fetched again whenever the file is missing (every target that needs the venv needs them too).
VENDOR := baodao/web/static/vendor/echarts/echarts.min.js
$(VENDOR): scripts/fetch_assets.py | $(PY)
	$(PY) scripts/fetch_assets.py
	touch $@

$(STAMP): pyproject.toml | $(PY) $(VENDOR)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

# The task worker runs beside the web server and stops with it.
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@export DEBUG=$${DEBUG:-1}; \
	$(PY) manage.py db_worker --no-startup-delay --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy baodao

check-migrations: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

# pytest exits 5 when it collects no test: a suite that runs nothing is a failure here, said plainly.
# The suite runs in PYTEST_WORKERS processes (pytest-xdist); the tests with real threads and connections
# (transaction=True) share one of them, so that two crowds of connections never meet (tests/conftest.py).
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup
pytest: $(STAMP)
	@$(BIN)/pytest -m "not e2e" $(PYTEST_PARALLEL) --cov --cov-report=term:skip-covered $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "没有收集到任何测试（pytest 退出码 5），视为失败。"; exit 1; fi; exit $$rc

test: lint typecheck check-migrations pytest e2e

$(E2E_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,e2e]'
	touch $@

e2e: $(E2E_STAMP)
	@$(PY) scripts/ensure_chromium.py
	@$(BIN)/pytest -m e2e -p no:cov $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "没有收集到任何浏览器测试（pytest 退出码 5），视为失败。"; exit 1; fi; exit $$rc

# Speed figures (roster import, exports) on SQLite, and on PostgreSQL when it answers on 127.0.0.1:5432;
# fails when a figure misses its target.
bench: $(STAMP)
	$(PY) scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .coverage htmlcov
