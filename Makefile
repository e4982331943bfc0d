# Two commands: `make run` serves the cockpit on port 8501; `make test` runs the whole suite.
# Both install what they need into .venv (and, for tests, Debian's Chromium and CJK fonts).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 0.0.0.0
# The name tablets use to reach this machine. Setting it keeps Streamlit from asking an outside
# service for the machine's external IP (which it does when listening on 0.0.0.0).
HOST ?= $(shell hostname -f 2>/dev/null || hostname)
STAMP := $(VENV)/.stamp-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: run test install store system-deps postgres bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.stamp-* && touch $@

install: $(STAMP)

store: install
	$(BIN)/python -m lib.cli init --demo

run: store
	$(BIN)/python tools/warm_up.py $(PORT) & \
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) --server.headless true \
	  --browser.serverAddress $(HOST) --browser.gatherUsageStats false

# Debian's Chromium and fonts for the browser tests, LibreOffice Impress and poppler for the briefing
# pack's PDF and its page images (only when missing and we are root).
system-deps:
	@missing=""; \
	for p in chromium fonts-noto-cjk fonts-noto-color-emoji libreoffice-impress poppler-utils nginx-light; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing$$missing (run as root to install)"; fi; \
	fi

# The store tests run against PostgreSQL at 127.0.0.1:5432 too; start the local cluster if it is down.
postgres:
	@if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  if command -v pg_ctlcluster >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	    for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  fi; fi

# ruff first (pyproject.toml [tool.ruff]), then the suite (pyproject.toml [tool.pytest.ini_options]).
test: install system-deps postgres
	$(BIN)/ruff check .
	@set +e; $(BIN)/python -m pytest -q -p no:cacheprovider --durations=15 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Speed and size figures (printed, never asserted): rules, intake, map, pages at province scale.
bench: install
	$(BIN)/python -m bench.bench_foundation
	$(BIN)/python -m bench.bench_import
	$(BIN)/python -m bench.bench_map
	$(BIN)/python -m bench.bench_pages

clean:
	rm -rf $(VENV) data/cockpit.db data/cockpit.db-*
