#!/usr/bin/env bash
# Install okrfunnel into .venv and, when there is no warehouse yet, build the demo company's
# (data/warehouse.duckdb, its exports in data/demo_exports); then show this quarter's key results.
# Re-running it is safe: an existing warehouse is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ ! -f data/warehouse.duckdb ]; then
  .venv/bin/okrfunnel demo --db data/warehouse.duckdb
fi
.venv/bin/okrfunnel krs --cycle 2026-Q4 --db data/warehouse.duckdb
