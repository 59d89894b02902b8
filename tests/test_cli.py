"""The command line as scripts use it: fast start, JSON contract, dry run, migrations."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from conftest import query
from pipelines.warehouse import latest_schema_version, migrate

COST = "date,platform,campaign,spend,currency\n2026-07-01,zhihu,brand,10,CNY\n2026-07-02,zhihu,brand,-1,CNY\n"


def test_the_cli_does_not_import_great_expectations_until_it_validates():
    code = "import sys, pipelines.cli, pipelines.metrics, pipelines.loading; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_ingest_json_output_is_a_list_of_flat_objects(cli, tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text(COST, encoding="utf-8")
    result = cli("ingest", path, "--format", "json", "--export-date", "2026-07-03")
    assert result.exit_code == 0
    assert result.json() == [{
        "file": str(path), "status": "loaded_with_rows_set_aside", "source": "generic_cost",
        "run_id": 1, "rows_read": 2, "rows_loaded": 1, "rows_set_aside": 1, "rows_skipped": 0,
        "message": f"{path}: generic_cost: 1 rows loaded, 1 set aside (see `okrfunnel quarantine --run 1`)",
    }]


def test_sources_check_is_a_dry_run(cli, tmp_path, db):
    path = tmp_path / "cost.csv"
    path.write_text(COST, encoding="utf-8")
    result = cli("sources", "check", path, "--export-date", "2026-07-03", "--format", "json", with_db=False)
    assert result.exit_code == 0, result.stderr
    assert "generic_cost: 1 rows loaded, 1 set aside" in result.stdout
    assert '"reason": "must not be negative"' in result.stdout
    assert not db.exists()


def test_sources_show_prints_the_file(cli):
    result = cli("sources", "show", "baidu_tuiguang", with_db=False)
    assert result.exit_code == 0
    assert "推广计划" in result.stdout and "currency: CNY" in result.stdout


def test_migrations_are_recorded_and_idempotent(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = migrate(con)
        assert first == ["0001_core", "0002_funnel_fact", "0003_competitor_followers", "0004_okrs", "0005_funnel_marts", "0006_scores",
                         "0007_task_history", "0008_review_notes", "0009_cycle_events", "0010_lead_snapshot", "0011_hashes_as_numbers",
                         "0012_lead_ids_uncompressed", "0013_pii_hash_md5", "0014_lead_dims", "mart funnel_daily", "mart conversion_daily"]
        assert migrate(con) == []
        versions = [v for (v,) in con.execute("SELECT version FROM schema_migration ORDER BY 1").fetchall()]
        assert versions == list(range(1, 15)) and versions[-1] == latest_schema_version()
        (salt,) = con.execute("SELECT value FROM warehouse_meta WHERE key = 'pii_salt'").fetchone()
        assert len(salt) == 16


def test_each_warehouse_has_its_own_salt(cli, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("lead_id,created_at,email\n1,2026-07-01,a@example.com\n", encoding="utf-8")
    hashes = []
    for name in ("one", "two"):
        db = tmp_path / f"{name}.duckdb"
        cli("ingest", path, "--db", db, "--export-date", "2026-07-02", with_db=False)
        hashes.append(query(db, "SELECT email_hash FROM lead_state")[0][0])
    assert hashes[0] != hashes[1]


def test_csv_output_never_runs_as_a_formula(cli, tmp_path):
    """Set-aside text goes into spreadsheets: a formula gets an apostrophe, a number keeps its sign."""
    export = tmp_path / "cost.csv"
    export.write_text("date,platform,campaign,spend,currency\n2026-07-01,zhihu,brand,-5,CNY\n"
                      "2026-07-02,zhihu,brand,=1+1,CNY\n2026-07-03,zhihu,brand,@SUM(A1),CNY\n", encoding="utf-8")
    assert cli("ingest", export, "--export-date", "2026-07-03").exit_code == 0
    values = [line.split(",")[4] for line in cli("quarantine", "--format", "csv").stdout.splitlines()[1:]]
    assert values == ["-5", "'=1+1", "'@SUM(A1)"]
