"""Idempotency, replacement of restated data, order independence, atomicity and crash safety."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from itertools import permutations
from pathlib import Path

import pytest

from conftest import metrics, query

HUBSPOT_HEADER = '"Record ID","Email","Create Date","Date entered ""Marketing Qualified Lead (Lifecycle Stage Pipeline)""","Date entered ""Sales Qualified Lead (Lifecycle Stage Pipeline)""","Original Traffic Source"\n'


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_file_twice_changes_nothing(cli, tmp_path, db):
    export = write(tmp_path / "contacts.csv", HUBSPOT_HEADER + "1,,2026-07-01 10:00,2026-07-02 10:00,,Paid Search\n")
    assert cli("ingest", export, "--export-date", "2026-10-01").exit_code == 0
    before = digest(db)
    copy = write(tmp_path / "copy-of-contacts.csv", export.read_text(encoding="utf-8"))
    result = cli("ingest", export, copy, "--export-date", "2026-10-01")
    assert result.exit_code == 0
    assert result.stdout.count("already loaded (same content as run 1") == 2
    assert digest(db) == before


def test_a_crm_snapshot_replaces_the_earlier_state_of_its_leads(cli, tmp_path):
    """Snapshot 1: leads 1-3. Snapshot 2 (later): lead 1 lost its SQL date, lead 2 became MQL on
    07-20 instead of 07-05 and SQL, lead 4 is new; lead 3 is absent and keeps its state.
    July after both: MQLs 1 (07-02), 2 (07-20), 3 (07-03) = 3; SQLs 2 (07-25) = 1; leads 4."""
    first = write(tmp_path / "s1.csv", HUBSPOT_HEADER
                  + "1,,2026-07-01 10:00,2026-07-02 10:00,2026-07-03 10:00,Paid Search\n"
                  + "2,,2026-07-01 11:00,2026-07-05 10:00,,Paid Search\n"
                  + "3,,2026-07-02 11:00,2026-07-03 10:00,,Organic Search\n")
    second = write(tmp_path / "s2.csv", HUBSPOT_HEADER
                   + "1,,2026-07-01 10:00,2026-07-02 10:00,,Paid Search\n"
                   + "2,,2026-07-01 11:00,2026-07-20 10:00,2026-07-25 10:00,Paid Search\n"
                   + "4,,2026-07-10 11:00,,,Email Marketing\n")
    assert cli("ingest", first, "--export-date", "2026-08-01").exit_code == 0
    assert cli("ingest", second, "--export-date", "2026-08-02").exit_code == 0
    (july,) = metrics(cli, "2026-07", "leads", "mqls", "sqls", "mql_to_sql_rate")
    assert july == {"period": "2026-07", "leads": 4, "mqls": 3, "sqls": 1, "mql_to_sql_rate": 1 / 3}


COST_HEADER = "date,platform,campaign,spend,currency\n"
EXPORT_A = COST_HEADER + "".join(f"2026-07-0{d},zhihu,brand,10,CNY\n" for d in range(1, 8))  # 07-01..07-07, 70
EXPORT_B = COST_HEADER + "".join(f"2026-07-{d:02d},zhihu,brand,20,CNY\n" for d in range(5, 11))  # 07-05..07-10, restated
EXPORT_C = COST_HEADER + "2026-07-03,zhihu,brand,15,CNY\n2026-07-04,zhihu,brand,15,CNY\n"  # 07-03..07-04 only


@pytest.mark.parametrize("order", list(permutations("ABC")))
def test_overlapping_daily_exports_count_each_day_once_in_any_order(cli, tmp_path, order):
    """Export dates: A 07-08, B 07-11, C 07-12, so per day the newest export covering it wins:
    07-01..02 from A (2 x 10), 07-03..04 from C (2 x 15), 07-05..10 from B (6 x 20): 20+30+120 = 170."""
    exports = {"A": (EXPORT_A, "2026-07-08"), "B": (EXPORT_B, "2026-07-11"), "C": (EXPORT_C, "2026-07-12")}
    for name in order:
        text, exported = exports[name]
        assert cli("ingest", write(tmp_path / f"{name}.csv", text), "--export-date", exported).exit_code == 0
    (july,) = metrics(cli, "2026-07-01..2026-07-10", "spend")
    assert july["spend"] == 170
    (days_3_4,) = metrics(cli, "2026-07-03..2026-07-04", "spend")
    assert days_3_4["spend"] == 30


def test_identical_duplicate_lines_count_once_and_segments_add_up(cli, tmp_path):
    """Line 2 appears twice (counted once); the two different rows for the same day and campaign
    (e.g. two networks) add up: 10 + 5 = 15."""
    text = COST_HEADER + "2026-07-01,zhihu,brand,10,CNY\n2026-07-01,zhihu,brand,10,CNY\n2026-07-01,zhihu,brand,5,CNY\n"
    result = cli("ingest", write(tmp_path / "dup.csv", text), "--export-date", "2026-07-02")
    assert "2 rows loaded" in result.stdout and "skipped 1 identical duplicate line" in result.stdout
    assert metrics(cli, "2026-07-01..2026-07-01", "spend")[0]["spend"] == 15


def test_rows_without_lead_ids_are_counted_and_replaced_by_a_reexport(cli, tmp_path):
    """MQL report without ids: 07-01 x3, 07-02 x2 = 5; the re-export restates 07-02 as 4 and adds
    07-03 x1: 3 + 4 + 1 = 8, nothing counted twice."""
    header = "date,stage,campaign,count\n"
    first = write(tmp_path / "r1.csv", header + "2026-07-01,mql,webinar,3\n2026-07-02,mql,webinar,2\n")
    second = write(tmp_path / "r2.csv", header + "2026-07-02,mql,webinar,4\n2026-07-03,mql,webinar,1\n")
    cli("ingest", first, "--export-date", "2026-07-03")
    assert metrics(cli, "2026-07", "mqls")[0]["mqls"] == 5
    cli("ingest", second, "--export-date", "2026-07-04")
    assert metrics(cli, "2026-07", "mqls")[0]["mqls"] == 8


def test_strict_refuses_a_file_with_set_aside_rows(cli, tmp_path, db):
    bad = write(tmp_path / "bad.csv", COST_HEADER + "2026-07-01,zhihu,brand,-10,CNY\n2026-07-02,zhihu,brand,10,CNY\n")
    result = cli("ingest", bad, "--strict", "--export-date", "2026-07-03")
    assert result.exit_code == 1
    assert "1 rows would be set aside and --strict is on; nothing loaded" in result.stderr
    assert query(db, "SELECT count(*) FROM channel_daily") == [(0,)]
    assert query(db, "SELECT count(*) FROM ingest_run") == [(0,)]


def test_dates_after_the_export_date_are_set_aside(cli, tmp_path):
    text = COST_HEADER + "2026-07-01,zhihu,brand,10,CNY\n2026-07-09,zhihu,brand,10,CNY\n"
    cli("ingest", write(tmp_path / "future.csv", text), "--export-date", "2026-07-08")
    (row,) = cli("quarantine", "--format", "json").json()
    assert (row["row"], row["column"], row["value"], row["reason"]) == (
        3, "date", "2026-07-09", "date is after the export's date 2026-07-08")


def test_a_run_records_its_counts_and_validation(cli, tmp_path):
    text = COST_HEADER + "2026-07-01,zhihu,brand,10,CNY\n2026-07-01,zhihu,brand,10,CNY\n2026-07-02,zhihu,brand,x,CNY\n2026-07-03,zhihu,brand,1,XYZ\n2026-07-04,zhihu,brand,1,CNY\n"
    cli("ingest", write(tmp_path / "run.csv", text), "--export-date", "2026-07-08")
    (run,) = cli("runs", "--format", "json").json()
    assert (run["rows_read"], run["rows_loaded"], run["rows_set_aside"], run["rows_skipped"], run["status"]) == (
        5, 2, 2, 1, "loaded_with_rows_set_aside")
    checks = cli("validations", "--run", "1", "--format", "json").json()
    failed = {(c["column"], c["expectation"], c["unexpected_count"]) for c in checks if not c["success"]}
    assert failed == {("spend", "unexpected_rows_expectation", 1), ("currency", "expect_column_values_to_be_in_set", 1)}


CRASH = """
import sys
from pipelines.cli import app
app(["ingest", sys.argv[1], "--db", sys.argv[2], "--export-date", "2026-08-01"])
"""


def test_kill_during_the_load_leaves_the_warehouse_unchanged(cli, tmp_path, db):
    first = write(tmp_path / "a.csv", EXPORT_A)
    assert cli("ingest", first, "--export-date", "2026-07-08").exit_code == 0
    before = digest(db)
    second = write(tmp_path / "b.csv", EXPORT_B)
    marker = tmp_path / "inside-transaction"
    env = {**os.environ, "OKRFUNNEL_FAULT_PAUSE_BEFORE_COMMIT": str(marker)}
    proc = subprocess.Popen([sys.executable, "-c", CRASH, str(second), str(db)], env=env, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "ingest never reached its transaction"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert digest(db) == before
    assert metrics(cli, "2026-07", "spend")[0]["spend"] == 70
    result = cli("ingest", second, "--export-date", "2026-07-11")
    assert result.exit_code == 0, result.stderr
    assert metrics(cli, "2026-07", "spend")[0]["spend"] == 40 + 120
    assert not list(db.parent.glob(db.name + ".tmp-*"))


def test_a_snapshot_row_holds_the_same_entries_and_state_as_its_stage_entries(cli, db):
    """A full snapshot writes each lead once, to lead_snapshot; moving its leads into stage_entry
    and deriving their state from those entries (what a later keyed report does) must leave
    funnel_stage_entry and lead_state as they were, row for row."""
    from conftest import FIXTURES
    from pipelines.merge import derive_touched_states, unsnapshot_touched_leads

    assert cli("ingest", FIXTURES / "sources" / "hubspot_contacts.csv", "--export-date", "2026-10-01").exit_code == 0
    import duckdb

    with duckdb.connect(str(db)) as con:
        state, entries = (con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in ("lead_state", "funnel_stage_entry"))
        assert con.execute("SELECT count(*) FROM stage_entry").fetchone() == (0,)
        con.execute("CREATE TEMP TABLE touched_leads AS SELECT lead_namespace, lead_id FROM lead_snapshot")
        unsnapshot_touched_leads(con, "hubspot")
        derive_touched_states(con)
        assert con.execute("SELECT count(*) FROM lead_snapshot").fetchone() == (0,)
        assert con.execute("SELECT * FROM lead_state ORDER BY ALL").fetchall() == state
        assert con.execute("SELECT * FROM funnel_stage_entry ORDER BY ALL").fetchall() == entries
    assert len(state) == 6 and len(entries) > len(state)


LONG_FORM_SOURCE = """name: lifecycle_history
fact: funnel
lead_namespace: crm
required: [lead_id, created_at]
columns:
  lead_id: [lead]
  created_at: {column: [day], when: {column: [step], in: [lead]}}
  mql_at: {column: [day], when: {column: [step], in: [mql]}}
  sql_at: {column: [day], when: {column: [step], in: [sql]}}
  won_at: {column: [day], when: {column: [step], in: [won]}}
"""


def test_a_report_of_one_stage_keeps_the_other_stages_of_its_leads(cli, tmp_path):
    """History: L1 lead 07-01, mql 07-05, sql 07-10; L2 lead 07-02. A later report adds only
    L1's win on 08-01: Q3 leads 2, MQLs 1, SQLs 1, wins 1, SQL->won 1/1."""
    folder = tmp_path / "my_sources"
    folder.mkdir()
    write(folder / "lifecycle.yaml", LONG_FORM_SOURCE)
    history = write(tmp_path / "history.csv", "lead,step,day\nL1,lead,2026-07-01\nL1,mql,2026-07-05\nL1,sql,2026-07-10\nL2,lead,2026-07-02\n")
    won = write(tmp_path / "won.csv", "lead,step,day\nL1,won,2026-08-01\n")
    for path in (history, won):
        assert cli("ingest", path, "--sources", folder, "--export-date", "2026-09-01").exit_code == 0
    (q3,) = metrics(cli, "2026-Q3", "leads", "mqls", "sqls", "wins", "sql_to_won_rate")
    assert q3 == {"period": "2026-Q3", "leads": 2, "mqls": 1, "sqls": 1, "wins": 1, "sql_to_won_rate": 1.0}


def test_a_lead_repeated_in_a_snapshot_takes_its_latest_row_whole(cli, tmp_path):
    """L1's second row has MQL 07-06 and no SQL date: the SQL date of the first row must not
    survive. July: MQLs 1, SQLs 0."""
    text = "lead_id,created_at,mql_at,sql_at,channel\nL1,2026-07-01,2026-07-05,2026-07-10,paid_search\nL1,2026-07-01,2026-07-06,,email\n"
    cli("ingest", write(tmp_path / "dup.csv", text), "--export-date", "2026-08-01")
    assert metrics(cli, "2026-07", "mqls", "sqls") == [{"period": "2026-07", "mqls": 1, "sqls": 0}]
    assert metrics(cli, "2026-07", "mqls", by="channel") == [{"period": "2026-07", "channel": "email", "mqls": 1}]


def test_reports_without_ids_filtered_to_one_campaign_keep_the_others(cli, tmp_path):
    header = "date,stage,campaign,count\n"
    cli("ingest", write(tmp_path / "a.csv", header + "2026-07-01,mql,A,3\n"), "--export-date", "2026-07-02")
    cli("ingest", write(tmp_path / "b.csv", header + "2026-07-01,mql,B,4\n"), "--export-date", "2026-07-02")
    assert metrics(cli, "2026-07", "mqls", by="campaign") == [
        {"period": "2026-07", "campaign": "A", "mqls": 3}, {"period": "2026-07", "campaign": "B", "mqls": 4}]


def test_excel_cells_holding_real_dates_read_as_dates(cli, tmp_path):
    import datetime

    import xlsxwriter

    path = tmp_path / "cost.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for col, heading in enumerate(["date", "platform", "spend", "currency"]):
        sheet.write(0, col, heading)
    fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for row, (day, spend) in enumerate([(1, 10.5), (2, 20)], start=1):
        sheet.write_datetime(row, 0, datetime.datetime(2026, 7, day), fmt)
        sheet.write(row, 1, "zhihu")
        sheet.write(row, 2, spend)
        sheet.write(row, 3, "CNY")
    book.close()
    assert "2 rows loaded" in cli("ingest", path, "--export-date", "2026-07-08").stdout
    assert metrics(cli, "2026-07", "spend")[0]["spend"] == 30.5


def test_a_campaign_named_total_is_not_a_summary_row(cli, tmp_path):
    text = ('Campaign report\n"July 1, 2026 - July 1, 2026"\nDay,Campaign,Currency code,Cost\n'
            "2026-07-01,Total Station Brand,USD,1000.00\n2026-07-01,Other,USD,5.00\n"
            "Total: Account,--,USD,1005.00\n")
    result = cli("ingest", write(tmp_path / "ga.csv", text), "--export-date", "2026-07-02")
    assert "2 rows loaded, skipped 1 summary row" in result.stdout
    assert metrics(cli, "2026-07", "spend")[0]["spend"] == 1005


def test_stage_names_in_a_report_ignore_case(cli, tmp_path):
    text = "date,stage,count\n2026-07-01,MQL,2\n2026-07-01,Won,1\n2026-07-02,Sql,3\n"
    cli("ingest", write(tmp_path / "r.csv", text), "--export-date", "2026-07-03")
    assert metrics(cli, "2026-07", "mqls", "sqls", "wins") == [{"period": "2026-07", "mqls": 2, "sqls": 3, "wins": 1}]


@pytest.mark.parametrize("order", [("old", "new"), ("new", "old")])
def test_reports_without_ids_let_the_newer_export_win_in_any_order(cli, tmp_path, order):
    """Old report (exported 07-03): 07-01 x5, 07-02 x5. New (07-10) restates 07-02 as 8 and adds
    07-03 x7. Either order: 5 + 8 + 7 = 20."""
    header = "date,stage,campaign,count\n"
    reports = {
        "old": (header + "2026-07-01,mql,w,5\n2026-07-02,mql,w,5\n", "2026-07-03"),
        "new": (header + "2026-07-02,mql,w,8\n2026-07-03,mql,w,7\n", "2026-07-10"),
    }
    for name in order:
        text, exported = reports[name]
        assert cli("ingest", write(tmp_path / f"{name}.csv", text), "--export-date", exported).exit_code == 0
    assert metrics(cli, "2026-07", "mqls")[0]["mqls"] == 20


def test_row_numbers_hold_in_a_large_file(cli, tmp_path, db):
    """Row numbers rest on the file's order surviving the parallel read: a bad date on line
    60,002 is reported there, and a Record ID on lines 2 and 60,003 at both. (A value map once
    planned as a join shuffled the order: the same row came out as line 16,490 or 8,298.)"""
    channels = ("Paid Search", "Email Marketing", "Organic Search", "Paid Social")
    lines = [f"{i},u{i}@example.com,2026-07-01 10:00,,,{channels[i % 4]}\n" for i in range(1, 60_001)]
    lines.append("60001,x@example.com,2026-09-31 10:00,,,Paid Search\n")
    lines.append("1,u1@example.com,2026-07-01 10:00,2026-07-03 10:00,,Email Marketing\n")
    export = write(tmp_path / "contacts.csv", HUBSPOT_HEADER + "".join(lines))
    assert cli("ingest", export, "--export-date", "2026-10-01").exit_code == 0
    assert sorted((r["row"], r["column"], r["value"]) for r in cli("quarantine", "--format", "json").json()) == [
        (2, "Record ID", "1"), (60_002, "Create Date", "2026-09-31 10:00"), (60_003, "Record ID", "1"),
    ]
    assert query(db, "SELECT count(*), count(*) FILTER (WHERE lead_id = '1') FROM lead_state") == [(59_999, 0)]
