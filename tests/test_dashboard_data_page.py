"""The Data page (issue 4, page 6) and its CSV download builder.

The page runs under AppTest against small warehouses built by the real CLI from
``fixtures/sources``; what it shows is compared with what ``okrfunnel runs / validations /
quarantine --format json`` print for the same warehouse, and an upload with what ``okrfunnel
ingest`` prints for the same file. AppTest 1.67 drives ``st.file_uploader`` itself
(``set_value((name, bytes, mime))``), so the upload goes through the page's own button.

Fixture warehouse (export date 2026-09-02 for all three files):
  run 1  generic_cost_en.csv       data to 2026-07-03; rows 7 (currency DOLLARS) and 8 (no platform) set aside
  run 2  generic_cost_zh.csv       data to 2026-07-02; rows 7 (消费 -50.00) and 8 (日期 2026.07.04) set aside
  run 3  generic_followers_zh.csv  data to 2026-08-31; 2 rows set aside (粉丝数 2万 among them)
generic_cost's newest day (07-03) is 59 days before the newest data (08-31): stale (> 7 days).
"""

from __future__ import annotations

import csv
import doctest
import hashlib
import io
import json
import math
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import dashboard
from dashboard import quarantine_csv
from dashboard.quarantine_csv import matching, neutralise, to_csv
from pipelines.cli import app as cli_app

SOURCES = Path(__file__).parent / "fixtures" / "sources"
APP = Path(dashboard.__file__).parent / "app.py"
PAGE = "views/data_sources.py"
EXPORT_DATE = "2026-09-02"
FILES = ("generic_cost_en.csv", "generic_cost_zh.csv", "generic_followers_zh.csv")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def okrfunnel(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def cli_json(*args) -> list[dict]:
    code, out, err = okrfunnel(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("data_page") / "warehouse.duckdb"
    for name in FILES:
        code, _, err = okrfunnel("ingest", SOURCES / name, "--export-date", EXPORT_DATE, "--db", db)
        assert code == 0, err
    return db


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean process environment: no okrfunnel.toml, caches empty; returns a setter for the warehouse."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OKRFUNNEL_CONFIG", raising=False)
    st.cache_data.clear()

    def use(db: Path) -> Path:
        monkeypatch.setenv("OKRFUNNEL_DB", str(db))
        return db

    return use


def page(language: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    if language != "en":  # last: AppTest cannot rerun after the owner box's labels changed language
        at.sidebar.radio[0].set_value(language).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, *columns: str):
    """The one table on the page that has these columns."""
    (found,) = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return found


def records(df) -> list[dict]:
    """The table's rows; a missing cell (NaN after the Arrow round trip) as None, as in the CLI's JSON."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()} for r in df.to_dict("records")]


def en_day(text: str) -> str:
    d = date.fromisoformat(text[:10])
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def en_short(text: str, year: int) -> str:
    """A table's date: without the year when it is ``year`` (here the newest data's: no OKR cycle)."""
    d = date.fromisoformat(text[:10])
    return f"{MONTHS[d.month - 1]} {d.day}" + ("" if d.year == year else f", {d.year}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the CSV download builder ------------------------------------------------------------------

def test_formula_cells_are_neutralised_and_plain_numbers_stay_readable():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("+cmd") == "'+cmd"
    assert neutralise("\t=1+1") == "'\t=1+1"
    assert neutralise("\rcmd") == "'\rcmd"
    assert neutralise("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert neutralise("－1+1") == "'－1+1"  # full-width minus
    assert neutralise("-") == "'-"
    assert neutralise("-20") == "-20"
    assert neutralise("-38.60") == "-38.60"
    assert neutralise("+3.5") == "+3.5"
    assert neutralise("-1,234.50") == "-1,234.50"
    assert neutralise("-20abc") == "'-20abc"
    assert neutralise("2万") == "2万"
    assert neutralise(" =1") == " =1"  # not at the start: a spreadsheet reads text
    assert neutralise(None) == ""
    assert neutralise(465) == "465"


def test_csv_bytes_exactly():
    rows = [
        {"run_id": 2, "file": "generic_cost_zh.csv", "row": 7, "column": "消费", "value": "-50.00",
         "reason": "must not be negative", "check": "expect_column_values_to_be_between",
         "raw_row": '{"日期":"2026-07-03","消费":"-50.00"}'},
        {"run_id": 9, "file": "=evil.csv", "row": 3, "column": None, "value": "@SUM(A1)",
         "reason": "a, b", "check": "csv_parse", "raw_row": None},
    ]
    assert to_csv(rows) == (
        "\ufeffrun_id,file,row,column,value,reason,check,raw_row\r\n"
        '2,generic_cost_zh.csv,7,消费,-50.00,must not be negative,expect_column_values_to_be_between,'
        '"{""日期"":""2026-07-03"",""消费"":""-50.00""}"\r\n'
        "9,'=evil.csv,3,,'@SUM(A1),\"a, b\",csv_parse,\r\n"
    ).encode("utf-8")


def test_csv_round_trips_chinese_and_keeps_every_other_cell():
    row = {"run_id": 3, "file": "粉丝.csv", "row": 9, "column": "粉丝数", "value": "2万",
           "reason": "应为整数", "check": "unexpected_rows_expectation", "raw_row": '{"粉丝数":"2万"}'}
    data = to_csv([row])
    assert data.startswith(b"\xef\xbb\xbf")
    header, back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert dict(zip(header, back)) == {k: str(v) for k, v in row.items()}


def test_filter_and_builder_examples():
    result = doctest.testmod(quarantine_csv)
    assert result.attempted > 0 and result.failed == 0


def test_matching_narrows_exactly():
    rows = [{"file": "a.csv", "column": "Cost", "reason": "negative", "value": "-5", "raw_row": '{"x":"Ünïcode"}'},
            {"file": "a.csv", "column": None, "reason": "bad line", "value": "x,,y", "raw_row": None},
            {"file": "b.csv", "column": "Cost", "reason": "not a number", "value": "n/a", "raw_row": None}]
    assert matching(rows) == rows
    assert matching(rows, files=["a.csv"]) == rows[:2]
    assert matching(rows, columns=["Cost"], reasons=["not a number"]) == rows[2:]
    assert matching(rows, columns=[""]) == rows[1:2]
    assert matching(rows, text=" üNÏ ") == rows[:1]
    assert matching(rows, files=["b.csv"], text="negative") == []


# --- the page ------------------------------------------------------------------------------------

def test_runs_and_validations_equal_the_cli(base, env):
    env(base)
    at = page()
    shown = records(frame(at, "run_id", "file_name", "rows_loaded"))
    cli_runs = cli_json("runs", "--db", base)
    assert [r["run_id"] for r in shown] == [3, 2, 1] == [r["run_id"] for r in reversed(cli_runs)]
    status = {"loaded": "loaded", "loaded_with_rows_set_aside": "loaded, rows set aside"}
    year = 2026  # the newest data's (no OKR cycle to take it from)
    assert shown == [{
        "run_id": r["run_id"], "file_name": r["file_name"], "source": r["source"], "status": status[r["status"]],
        **{c: f"{r[c]:,}" for c in ("rows_read", "rows_loaded", "rows_set_aside", "rows_skipped")},
        "covers": f"{en_short(r['date_from'], year)} – {en_short(r['date_to'], year)}",
        "export_date": en_short(r["export_date"], year),
        "finished_at": f"{en_short(r['finished_at'], year)} {datetime.fromisoformat(r['finished_at']):%H:%M}",
    } for r in reversed(cli_runs)]

    for run_id in (3, 1):  # the newest run first, then another chosen
        at.selectbox(key="data_v_run").set_value(run_id).run()
        checks = records(frame(at, "expectation", "unexpected_count"))
        expected = cli_json("validations", "--run", run_id, "--db", base)
        assert [(c["expectation"], c["column"], c["reason"], c["success"].startswith("✅"), c["unexpected_count"])
                for c in checks] == [(e["expectation"], e["column"] or "–", e["reason"], e["success"],
                                      "–" if e["unexpected_count"] is None else f"{e['unexpected_count']:,}")
                                     for e in expected]
        failed = sum(not e["success"] for e in expected)
        assert f"{failed} of {len(expected)} checks failed" in [c.value for c in at.caption]


def test_freshness_flags_the_source_behind_the_newest_data(base, env):
    env(base)
    at = page()
    fresh = {r["source"]: r for r in records(frame(at, "source", "data_to", "behind"))}
    assert {s: (r["data_to"], r["behind"], r["state"]) for s, r in fresh.items()} == {
        "generic_followers": ("Aug 31", "0 days", "🟢 current"),
        "generic_cost": ("Jul 3", "59 days", "🟠 stale"),
    }
    assert fresh["generic_cost"]["runs"] == "2" and fresh["generic_cost"]["set_aside_last_run"] == "2"
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("The data of generic_cost ends more than 7 days before the newest data (Aug 31, 2026)")
    known = records(frame(at, "name", "fact", "origin"))
    assert {r["name"] for r in known} >= {"generic_cost", "generic_followers", "hubspot_contacts"}


def test_quarantine_browser_equals_the_cli_and_filters_narrow_it(base, env, monkeypatch):
    env(base)
    downloads = []
    real = quarantine_csv.to_csv
    monkeypatch.setattr(quarantine_csv, "to_csv", lambda rows: downloads.append(list(rows)) or real(rows))
    at = page()
    everything = cli_json("quarantine", "--db", base)
    assert len(everything) == 6
    assert records(frame(at, "raw_row", "check")) == everything
    assert downloads[-1] == everything

    def narrowed(**choice):
        for key, value in choice.items():
            widget = at.text_input(key=key) if key == "data_q_search" else at.multiselect(key=key)
            assert key == "data_q_search" or widget.placeholder == "All"  # an empty filter keeps every row
            widget.set_value(value)
        at.run()
        assert not at.exception
        return records(frame(at, "raw_row", "check"))

    assert narrowed(data_q_file=["generic_cost_zh.csv"]) == [r for r in everything if r["file"] == "generic_cost_zh.csv"]
    assert downloads[-1] == [r for r in everything if r["file"] == "generic_cost_zh.csv"]
    assert narrowed(data_q_file=[], data_q_column_en=["platform", "消费"]) == [
        r for r in everything if r["column"] in ("platform", "消费")]
    reason = everything[0]["reason"]
    assert narrowed(data_q_column_en=[], data_q_reason=[reason]) == [r for r in everything if r["reason"] == reason]
    assert narrowed(data_q_reason=[], data_q_search="2万") == [r for r in everything if "2万" in r["raw_row"]] != []
    assert narrowed(data_q_search="dollars") == [r for r in everything if r["value"] == "DOLLARS"] != []
    assert "1 of 6 rows" in [c.value for c in at.caption]

    at.text_input(key="data_q_search").set_value("")
    at.selectbox(key="data_q_run_en").set_value(2).run()
    assert records(frame(at, "raw_row", "check")) == cli_json("quarantine", "--run", 2, "--db", base)


def test_upload_creates_the_warehouse_and_says_what_the_cli_says(env, tmp_path, monkeypatch):
    db = env(tmp_path / "new" / "warehouse.duckdb")
    db.parent.mkdir()
    at = page()
    assert any("No warehouse yet" in i.value for i in at.info)  # the upload is offered above it
    content = (SOURCES / "generic_cost_en.csv").read_bytes()
    at.file_uploader(key="data_upload").set_value(("generic_cost_en.csv", content, "text/csv")).run()
    at.button(key="data_upload_load").click().run()
    assert not at.exception and not at.error

    # The CLI on the same file, given by name as the page names it, on the same day (its copy is new).
    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()
    shutil.copy(SOURCES / "generic_cost_en.csv", cli_dir)
    monkeypatch.chdir(cli_dir)
    code, out, _ = okrfunnel("ingest", "generic_cost_en.csv", "--db", cli_dir / "w.duckdb")
    assert code == 0
    assert out.strip() == "generic_cost_en.csv: generic_cost: 5 rows loaded, 2 set aside (see `okrfunnel quarantine --run 1`)"
    assert out.strip() in [w.value for w in at.warning]
    assert any("2 rows were set aside" in i.value for i in at.info)

    # The new run shows at once, without a restart, and the browser is on it.
    assert records(frame(at, "run_id", "file_name", "rows_loaded"))[0]["run_id"] == 1
    assert at.selectbox(key="data_q_run_en").value == 1
    assert records(frame(at, "raw_row", "check")) == cli_json("quarantine", "--db", db)


def test_clean_upload_then_the_same_file_again(base, env, tmp_path):
    db = env(tmp_path / "warehouse.duckdb")
    shutil.copy(base, db)
    clean = b"".join((SOURCES / "generic_cost_en.csv").read_bytes().splitlines(keepends=True)[:6])  # rows 2-6 valid
    at = page()
    at.file_uploader(key="data_upload").set_value(("clean.csv", clean, "text/csv")).run()
    at.button(key="data_upload_load").click().run()
    assert [s.value for s in at.success] == ["clean.csv: generic_cost: 5 rows loaded"]
    assert records(frame(at, "run_id", "file_name"))[0] == {**records(frame(at, "run_id", "file_name"))[0],
                                                            "run_id": 4, "file_name": "clean.csv"}
    at.selectbox(key="data_q_run_en").set_value(4).run()
    assert any(s.value.startswith("No rows set aside") for s in at.success)

    before = sha256(db)
    at.button(key="data_upload_load").click().run()
    (skipped,) = [i.value for i in at.info if "already loaded" in i.value]
    assert skipped.startswith("clean.csv: already loaded (same content as run 4 on ") and skipped.endswith("nothing changed")
    assert sha256(db) == before


def test_a_bad_upload_shows_the_cli_error_and_leaves_the_warehouse_alone(base, env, tmp_path, monkeypatch):
    db = env(tmp_path / "warehouse.duckdb")
    shutil.copy(base, db)
    before = sha256(db)
    bad = "名称,金额\nfoo,1\n".encode()
    at = page()
    at.file_uploader(key="data_upload").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="data_upload_load").click().run()
    assert not at.exception

    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()
    (cli_dir / "bad.csv").write_bytes(bad)
    monkeypatch.chdir(cli_dir)
    code, _, err = okrfunnel("ingest", "bad.csv", "--db", cli_dir / "w.duckdb")
    assert code == 1 and err.startswith("error: bad.csv, row 1: no source knows this header")
    assert [e.value for e in at.error] == [err.strip().removeprefix("error: ")]
    assert sha256(db) == before
    assert len(records(frame(at, "run_id", "file_name"))) == 3


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_state_renders_without_an_error(base, env, tmp_path, language):
    env(base)
    at = page(language)
    assert not at.error and len(at.dataframe) == 5 and len(at.get("download_button")) == 1
    if language == "zh":  # chosen in English first: the choice stays, shown in Chinese
        run = at.selectbox(key="data_q_run_zh")
        assert run.value == "*" and run.options[0] == "全部批次"
        assert {m.placeholder for m in at.multiselect} == {"全部"}

    empty = env(tmp_path / "empty.duckdb")  # a warehouse without runs: a failed file still creates it
    code, _, _ = okrfunnel("ingest", tmp_path / "nothing.csv", "--db", empty)
    assert code == 1 and empty.exists()
    at = page(language)
    no_runs = {"en": "Nothing loaded yet", "zh": "还没有导入任何数据"}[language]
    assert not at.error and any(i.value.startswith(no_runs) for i in at.info)

    env(tmp_path / "missing.duckdb")
    at = page(language)
    assert not at.error and len(at.file_uploader) == 1 and not at.dataframe
