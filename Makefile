# PD Cohorts: `make run` serves the demo school (demo mode); `make serve` serves a real school
# (sign-in from [auth] in .streamlit/secrets.toml); `make test` runs every check.
PY      := .venv/bin/python
PORT    ?= 8501
export PDCORE_DB ?= data/pd.duckdb

.PHONY: run serve district test lint format bench load clean

# The app's runtime packages (`make run`); the first run takes a minute or two.
.venv/.installed: requirements.txt
	@echo "Installing the app's packages into .venv (first run only; a minute or two)..."
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Plus the test, lint and benchmark tools (`make test`, `make lint`, `make bench`...).
.venv/.dev-installed: .venv/.installed requirements-dev.txt
	@echo "Installing the test and lint tools into .venv (first time only)..."
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The browser tests need Debian's Chromium (never a downloaded browser).
/usr/bin/chromium:
	@command -v apt-get >/dev/null || { echo "Install Chromium at /usr/bin/chromium"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The integration tests run on PostgreSQL too (a throwaway server the tests start on loopback),
# and the district test runs app processes behind HAProxy: Debian's packages.
/usr/lib/postgresql /usr/sbin/haproxy:
	@command -v apt-get >/dev/null || { echo "Install PostgreSQL and HAProxy"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql haproxy

# Demo mode, said out loud: an empty database becomes the demo school, with a "be anyone" sign-in.
run: .venv/.installed
	PDCORE_DEMO=1 $(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# A real school: no demo data, and nobody gets in without a working [auth] (same command).
serve: .venv/.installed
	PDCORE_DEMO=0 $(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# A district: N app processes behind Debian's HAProxy (sticky sessions) on one PostgreSQL,
# e.g. `make district DB=postgresql://pd@127.0.0.1:5432/pd N=2`. DEMO=1 for the demo school.
district: PORT = 8500
district: .venv/.installed /usr/sbin/haproxy
	PDCORE_DEMO=$(or $(DEMO),0) $(PY) -m pdcore.district --processes $(or $(N),2) \
		--db "$(or $(DB),$(PDCORE_DB))" --port $(PORT)

test: .venv/.dev-installed /usr/bin/chromium /usr/lib/postgresql /usr/sbin/haproxy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: .venv/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: .venv/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: .venv/.dev-installed
	$(PY) -m benchmarks.run

load: .venv/.dev-installed /usr/bin/chromium
	$(PY) -m benchmarks.load

clean:
	rm -rf .venv .pytest_cache .ruff_cache
