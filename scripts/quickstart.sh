#!/usr/bin/env bash
# Install okrfunnel into .venv and build data/warehouse.duckdb from the sample exports, then show
# the funnel for two quarters. Re-running it is safe: known files are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/okrfunnel ingest data/sample_exports --db data/warehouse.duckdb --export-date 2026-10-01
.venv/bin/okrfunnel metrics --db data/warehouse.duckdb --period 2026-Q2 --period 2026-Q3 \
  --metric leads --metric mqls --metric sqls --metric wins --metric spend --metric cost_per_sql \
  --metric mql_to_sql_rate --metric followers
