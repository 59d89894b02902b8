#!/usr/bin/env bash
# Install okrfunnel into .venv; when there is no warehouse yet, build the demo company's
# (data/warehouse.duckdb, its exports in data/demo_exports); then open the dashboard on it at
# http://127.0.0.1:8501 (Ctrl+C stops it). Re-running it is safe: an existing warehouse is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ ! -f data/warehouse.duckdb ]; then
  .venv/bin/okrfunnel demo --db data/warehouse.duckdb
fi
.venv/bin/okrfunnel krs --cycle 2026-Q4 --db data/warehouse.duckdb
exec .venv/bin/okrfunnel dashboard --db data/warehouse.duckdb "$@"
