# `make run` and `make test` set up .venv by themselves on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 5000
export PORT
CHROMIUM := /usr/bin/chromium
LIGHTHOUSE := tests/lighthouse

.PHONY: setup chromium esbuild lighthouse nginx bundle run test test-fast test-api test-e2e bench screenshots screenshots-languages catalogs clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable '.[test]'
	touch $(STAMP)

# The app's modules bundled into build/bundle.js when esbuild is here; without it they are served one by one.
setup: $(STAMP) esbuild bundle

bundle: $(STAMP)
	$(BIN)/python -m server.bundle --if-available

# The bundler, from the OS package manager (docs/contributors.md says why esbuild): installed when missing and we
# are root, like Chromium; else the app is served unbundled and `make test` says how to install it.
esbuild:
	@if ! command -v esbuild >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing esbuild to bundle the app's modules (apt-get install esbuild)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq esbuild; \
	fi

# Migrate, then serve the web app on 127.0.0.1:$(PORT) (DATABASE_URL picks the database),
# with the clock (the reminder dispatcher) beside it; stopping the web app stops the clock.
# Bytecode is compiled first: with PYTHONDONTWRITEBYTECODE set (as on many machines and images),
# every start would compile the app's modules again (about 0.15 s of the cold start).
run: $(STAMP) esbuild bundle
	$(BIN)/python -m compileall -q server
	$(BIN)/alembic upgrade head
	$(BIN)/flask --app server clock & clock=$$!; trap 'kill $$clock 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config python:server.gunicorn_conf --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) 'server:create_app()'

# The browser tests drive Debian's Chromium (Playwright cannot download its own here): install it
# with the OS package manager when it is missing and we are root, else say how.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        echo "Installing Chromium for the browser tests (apt-get install chromium)..."; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	    fi; \
	    if [ ! -x $(CHROMIUM) ]; then \
	        echo "The browser tests need Chromium at $(CHROMIUM). Install it with your package manager," \
	            "e.g. 'sudo apt-get install chromium' on Debian, then run make test again." >&2; \
	        exit 1; \
	    fi; \
	fi

# Lighthouse for its browser test, pinned in $(LIGHTHOUSE)/package-lock.json and installed there with npm ci
# (again only when the lock file changes). Node.js and npm come from the OS package manager when they are
# missing and we are root, like Chromium; without them the Lighthouse test skips, which CI counts as a failure.
lighthouse: $(LIGHTHOUSE)/node_modules/.installed-stamp

$(LIGHTHOUSE)/node_modules/.installed-stamp: $(LIGHTHOUSE)/package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Node.js and npm for the Lighthouse test (apt-get install nodejs npm)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	fi
	@if command -v npm >/dev/null; then \
	    npm ci --prefix $(LIGHTHOUSE) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	    echo "The Lighthouse test needs Node.js 18.16+ and npm: install them (e.g. 'sudo apt-get install nodejs npm')," \
	        "then run make lighthouse; until then it is skipped." >&2; \
	fi

# The proxy the operators' page documents (docs/nginx.conf), which tests/test_proxy_setup.py runs: installed when
# missing and we are root, like Chromium; else those tests are skipped (and fail in CI).
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing nginx for the proxy tests (apt-get install nginx)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	fi

# Lint, then the whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
test: $(STAMP) chromium esbuild lighthouse nginx
	$(BIN)/ruff check server tests bench docs migrations
	$(BIN)/python -m server.bundle
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# Speed tiers of the same suite: rules and use cases; the HTTP API; browser and push end to end.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q tests/domain tests/services

test-api: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q tests/api tests/test_migrations.py tests/test_db.py tests/test_backup.py

test-e2e: $(STAMP) chromium esbuild lighthouse
	$(BIN)/python -m server.bundle
	$(BIN)/python -m pytest -n 2 --dist loadfile -q tests/browser tests/push

bench: $(STAMP)
	$(BIN)/python bench/api.py

# Add the code's new texts to every language's catalog, and drop those it no longer uses (docs/languages.md).
catalogs: $(STAMP)
	$(BIN)/python -m server.catalogs

# Every screen at phone size, light and dark, into docs/screenshots/ (the key ones in each language included).
screenshots: $(STAMP) chromium
	$(BIN)/python docs/screenshots.py

# Only the key screens in each language, into docs/screenshots/<language>/ (docs/languages.md).
screenshots-languages: $(STAMP) chromium
	$(BIN)/python docs/screenshots.py languages

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
