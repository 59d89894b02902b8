"""The Funnel, Confidence and Quarter review pages under AppTest on the demo warehouse: the numbers
they show equal what the CLI prints for the same inputs (``okrfunnel metrics``, ``confidence``,
``krs``, ``impact``), formatted the way the pages format them; both languages render cleanly."""

from __future__ import annotations

import doctest
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import tables
from dashboard.charts import confidence as confidence_charts
from dashboard.charts import funnel as funnel_charts
from dashboard.charts import overview as overview_charts
from dashboard.charts import quarter_review as review_charts
from dashboard.format import metric_value
from dashboard.i18n import catalogue
from pipelines.cli import app as cli_app

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CYCLE = "2026-Q4"
STAGES = ("leads", "mqls", "sqls", "opportunities", "wins")
RATES = ("mql_to_sql_rate", "sql_to_won_rate")
EN = catalogue("en")


@pytest.fixture(scope="module")
def warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """A copy of the session's demo warehouse (these tests only read it)."""
    db = tmp_path_factory.mktemp("analysis") / "w.duckdb"
    shutil.copyfile(demo_warehouse, db)
    return db


@pytest.fixture(scope="module")
def cli(warehouse):
    """``cli("krs", "--cycle", C)``: the command's JSON output on the demo warehouse."""
    cache: dict[tuple, list] = {}

    def run(*args) -> list[dict]:
        if args not in cache:
            result = CliRunner().invoke(cli_app, [*args, "--db", str(warehouse), "--format", "json"], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            cache[args] = json.loads(result.stdout)
        return cache[args]

    return run


@pytest.fixture
def at(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("OKRFUNNEL_DB", str(warehouse))
    monkeypatch.delenv("OKRFUNNEL_CONFIG", raising=False)
    monkeypatch.chdir(warehouse.parent)
    test = AppTest.from_file(str(APP), default_timeout=60)
    return test.run()


def in_language(at: AppTest, language: str, monkeypatch) -> AppTest:
    """Switch the sidebar's language."""
    at.sidebar.radio(key="language").set_value(language).run()
    assert_clean(at)
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert [e.value for e in at.exception] == [] and [e.value for e in at.error] == []


def table(at: AppTest, column: str, without: str = "~"):
    """The table with ``column`` (and not ``without``): AppTest gives a plain st.dataframe no key."""
    return next(d.value for d in at.dataframe if column in d.value.columns and without not in d.value.columns)


def figure(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


def as_of(cli) -> str:
    return cli("krs", "--cycle", CYCLE)[0]["as_of"]


def money(name: str, value, language: str = "en") -> str:
    return metric_value(name, value, "CNY", language)


def channel(member: str | None) -> str:
    return EN["funnel.unset"] if member in (None, "(none)") else EN[f"funnel.channel_{member}"]


def test_chart_helpers_doctests():
    for module in (funnel_charts, confidence_charts, review_charts, overview_charts, tables):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


# --- Funnel ---------------------------------------------------------------------------------------


def test_funnel_by_quarter_equals_okrfunnel_metrics(at, cli):
    open_page(at, "funnel")
    at.radio(key="funnel_grain_en").set_value("quarter").run()
    assert_clean(at)
    to_date = f"2026-10-01..{as_of(cli)}"
    expected = cli("metrics", "--period", "2026-Q1", "--period", "2026-Q2", "--period", "2026-Q3",
                   "--period", to_date, *[a for n in (*STAGES, *RATES) for a in ("--metric", n)])
    shown = table(at, "period", without="member").to_dict("records")
    assert [r["period"] for r in shown] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [{n: r[n] for n in (*STAGES, *RATES)} for r in shown] == [
        {n: money(n, r[n]) for n in (*STAGES, *RATES)} for r in expected]
    # the funnel chart is the cycle to date, stage by stage
    funnel = figure(at, "funnel-chart")["data"][0]
    assert funnel["type"] == "funnel" and funnel["x"] == [expected[-1][n] for n in STAGES]


def test_funnel_weeks_partition_the_cycle_and_spend_by_channel_equals_cli(at, cli):
    open_page(at, "funnel")
    weeks = table(at, "period", without="member")
    assert weeks["period"].iloc[0] == "2026-W40" and weeks["period"].iloc[-1] == date.fromisoformat(as_of(cli)).strftime("%G-W%V")
    to_date = cli("metrics", "--period", f"2026-10-01..{as_of(cli)}", "--metric", "sqls")[0]["sqls"]
    assert sum(int(v.replace(",", "")) for v in weeks["sqls"]) == to_date
    costs = ("mqls", "sqls", "spend", "cost_per_mql", "cost_per_sql")
    expected = cli("metrics", "--period", f"2026-10-01..{as_of(cli)}", "--by", "channel", *[a for n in costs for a in ("--metric", n)])
    shown = {r["channel"]: r for r in table(at, "channel").to_dict("records")}
    assert shown == {channel(r["channel"]): {"channel": channel(r["channel"]), **{n: money(n, r[n]) for n in costs}}
                     for r in expected}
    bars = figure(at, "funnel-spend")["data"][0]
    assert sorted(bars["y"]) == sorted(r["spend"] for r in expected if r["spend"])


def test_young_cohorts_are_drawn_apart_and_explained(at, cli):
    """The last two weeks' MQL -> SQL rate (cohorts still converting) is drawn lighter, starting
    from the last grown-up week; the caption says why."""
    open_page(at, "funnel")
    weeks = list(table(at, "period", without="member")["period"])
    spans = funnel_charts.week_periods(date(2026, 10, 1), date.fromisoformat(as_of(cli)))  # the first week clipped
    assert [w for w, _, _ in spans] == weeks
    found = cli("metrics", *[a for _, start, end in spans for a in ("--period", f"{start}..{end}")],
                "--metric", "mql_to_sql_rate")
    rates = dict(zip(weeks, (r["mql_to_sql_rate"] for r in found)))
    traces = [t for t in figure(at, "funnel-stages-week-channel")["data"] if t["type"] == "scatter"]
    grown = next(t for t in traces if t["name"] == EN["metric.mql_to_sql_rate"])
    assert grown["y"] == [rates[w] for w in weeks[:-2]] + [None, None]
    young = next(t for t in traces if t.get("legendgroup") == "young" and "MQL" in t["hovertemplate"])
    assert young["x"] == weeks[-3:] and young["y"] == [rates[w] for w in weeks[-3:]]
    assert any(c.value.startswith("A period's conversion counts") and "2 weeks from MQL to SQL" in c.value
               for c in at.caption)


def test_funnel_split_by_platform_adds_up_to_the_totals(at):
    open_page(at, "funnel")
    at.radio(key="funnel_grain_en").set_value("month").run()
    at.radio(key="funnel_split_en").set_value("platform").run()
    assert_clean(at)
    totals = table(at, "period", without="member")
    assert list(totals["period"]) == ["2026-10", "2026-11"]
    leads = [t for t in figure(at, "funnel-stages-month-platform")["data"] if t["type"] == "bar" and t.get("xaxis", "x") == "x"]
    assert [sum(t["y"][i] for t in leads) for i in range(2)] == [int(v.replace(",", "")) for v in totals["leads"]]
    assert EN["funnel.unset"] in {t["name"] for t in leads}  # the demo's leads carry no platform


# --- Confidence -----------------------------------------------------------------------------------


def test_confidence_drift_table_and_heatmap_equal_okrfunnel_confidence(at, cli):
    open_page(at, "confidence")
    expected = cli("confidence", "--cycle", CYCLE)
    shown = table(at, "note").to_dict("records")
    columns = ("kr_id", "confidence", "change_prev", "change_start")
    assert [{c: r[c] for c in columns} | {"date": str(r["date"])[:10], "flags": r["flags"]} for r in shown] == [
        {c: r[c] for c in columns} | {"date": r["date"], "flags": EN["flag.drop"] if r["flags"] == "drop" else ""}
        for r in expected]
    heat = figure(at, "confidence-heatmap")["data"][0]
    krs = cli("krs", "--cycle", CYCLE)
    assert [y.split()[0] for y in heat["y"]] == [k["kr_id"] for k in krs]
    last = {}  # (kr, ISO week) -> the week's last check-in, worked out here from the CLI's rows
    for r in expected:
        last[(r["kr_id"], date.fromisoformat(r["date"]).strftime("%G-W%V"))] = r["confidence"]
    assert heat["z"] == [[last.get((k["kr_id"], week)) for week in heat["x"]] for k in krs]


def test_confidence_against_chance_lists_the_disagreements(at, cli):
    open_page(at, "confidence")
    krs = [k for k in cli("krs", "--cycle", CYCLE) if k["confidence"] is not None and k["chance"] is not None]
    points = figure(at, "confidence-scatter")["data"][-1]
    assert points["text"] == [k["kr_id"] for k in krs]
    assert points["x"] == [k["confidence"] / 10 for k in krs] and points["y"] == [k["chance"] for k in krs]
    apart = {k["kr_id"] for k in krs if abs(k["confidence"] / 10 - k["chance"]) > 0.3}
    listed = {m.value.split("**")[1] for m in at.markdown if m.value.startswith("- **")}
    assert apart and listed == apart
    # points close together (four KRs at 8/10) take turns right and left: no label on another
    position = dict(zip(points["text"], points["textposition"]))
    close = sorted((k for k in krs if k["confidence"] == 8), key=lambda k: k["chance"])
    assert [position[k["kr_id"]] for k in close[:2]] == ["middle right", "middle left"]


def test_owner_filter_narrows_the_confidence_page(at, cli):
    open_page(at, "confidence")
    every = figure(at, "confidence-heatmap")["data"][0]["y"]
    at.sidebar.selectbox(key="owner_en").set_value("张伟").run()
    assert_clean(at)
    mine = [k["kr_id"] for k in cli("krs", "--cycle", CYCLE) if "张伟" in (k["owner"], k["objective_owner"])]
    assert [y.split()[0] for y in figure(at, "confidence-heatmap")["data"][0]["y"]] == mine and len(mine) < len(every)
    assert set(table(at, "note")["kr_id"]) <= set(mine)
    owners = list(table(at, "brier")["owner"])
    assert owners == [r["owner"] if r["owner"] != "(team)" else EN["confidence.team"]
                      for r in cli("calibration") if r["owner"] in ("张伟", "(team)")]


# --- Quarter review -------------------------------------------------------------------------------


def test_quarter_review_tiles_equal_okrfunnel_impact(at, cli):
    open_page(at, "quarter_review")
    quarter = {r["metric"]: r for r in cli("impact", "--cycle", CYCLE) if r["section"] == "quarter"}
    tiles = ("leads", "mqls", "sqls", "wins", "won_revenue", "spend", "cost_per_sql", "mql_to_sql_rate")
    assert [(m.label, m.value, m.delta) for m in at.metric] == [
        (EN[f"metric.{n}"], money(n, quarter[n]["value"]), f"{quarter[n]['pct_change']:+.1%}") for n in tiles]


@pytest.mark.parametrize("metric", ["sqls", "spend", "won_revenue"])
def test_waterfall_adds_up_from_last_quarter_to_this(at, cli, metric):
    open_page(at, "quarter_review")
    at.selectbox(key="review_metric_en").set_value(metric).run()
    assert_clean(at)
    rows = cli("impact", "--cycle", CYCLE)
    whole = next(r for r in rows if r["section"] == "quarter" and r["metric"] == metric)
    parts = [r for r in rows if r["section"] == "split" and r["metric"] == metric and r["dimension"] == "channel"]
    bars = figure(at, f"review-waterfall-{metric}")["data"][0]
    assert bars["measure"] == ["absolute", *["relative"] * len(parts), "total"]
    assert bars["y"][0] == whole["previous"] and bars["y"][-1] == whole["value"]
    assert round(bars["y"][0] + sum(bars["y"][1:-1]), 2) == round(whole["value"], 2)
    assert bars["x"][1:-1] == [channel(p["member"]) for p in parts]


def test_quarter_review_outcomes_and_since_adoption(at, cli):
    open_page(at, "quarter_review")
    krs = cli("krs", "--cycle", CYCLE)
    outcomes = table(at, "attainment").to_dict("records")
    assert [(r["kr_id"], r["actual"], r["target"]) for r in outcomes] == [
        (k["kr_id"], money(k["metric"], k["actual"]), money(k["metric"], k["target"])) for k in krs]
    since = {r["metric"]: r for r in cli("impact", "--cycle", CYCLE) if r["section"] == "since_adoption"}
    assert since["sqls"]["compared_to"].startswith("2026-04-01..")
    sentence = f"SQLs {since['sqls']['multiple']:.1f}x"
    assert any(sentence in m.value and m.value.endswith("since 2026-Q2") for m in at.markdown)
    shown = table(at, "multiple").to_dict("records")
    assert [r["multiple"] for r in shown] == ["–" if r["multiple"] is None else f"{r['multiple']:.2f}×" for r in since.values()]
    # the change in each metric's unit: counts and money whole, rates in percentage points
    change = {r["metric"]: r["change"] for r in shown}
    assert change["SQLs"] == f"+{since['sqls']['change']:,}"
    assert change["Won revenue"] == f"+¥{since['won_revenue']['change']:,.0f}"
    assert change["Cost per SQL"] == f"-¥{-since['cost_per_sql']['change']:,.0f}"
    assert change["MQL → SQL rate"] == f"{since['mql_to_sql_rate']['change'] * 100:+.1f} pp"
    assert "None" not in {v for r in shown for v in r.values()}


# --- Both languages, every page, another cycle ------------------------------------------------------


def test_pages_in_chinese_keep_their_choices(at, monkeypatch):
    open_page(at, "funnel")
    at.radio(key="funnel_grain_en").set_value("quarter").run()
    in_language(at, "zh", monkeypatch)
    assert at.title[0].value == "2026-Q4：漏斗" and at.radio(key="funnel_grain_zh").value == "quarter"
    assert "2026-Q4" in set(table(at, "period", without="member")["period"])
    for page, title in (("confidence", "2026-Q4：信心指数"), ("quarter_review", "2026-Q4：季度复盘")):
        open_page(at, page)
        assert at.title[0].value == title
    assert [m.label for m in at.metric][:3] == ["线索", "MQL", "SQL"]
    assert any(m.value.startswith("### 自 2026-Q2 以来") for m in at.markdown)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_closed_cycle_renders_on_every_page(at, language, monkeypatch):
    in_language(at, language, monkeypatch)
    at.sidebar.selectbox(key="cycle").set_value("2026-Q3").run()
    for page in ("funnel", "confidence", "quarter_review"):
        open_page(at, page)
        assert at.title[0].value.startswith("2026-Q3")
    assert any("2026-Q2" in c.value for c in at.caption)  # a whole quarter against the whole one before


def test_no_warehouse_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setenv("OKRFUNNEL_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    for page in ("funnel", "confidence", "quarter_review"):
        open_page(at, page)
        assert "okrfunnel demo" in at.code[0].value


def test_a_cycle_without_data_says_so(monkeypatch, tmp_path):
    """OKRs loaded for a quarter no export covers yet: every page explains instead of failing."""
    okrs = tmp_path / "okrs.yaml"
    okrs.write_text(
        "cycle: 2027-Q1\nobjectives:\n  - id: O1\n    title: Pipeline\n    owner: Wang\n    key_results:\n"
        "      - {id: KR1.1, title: SQLs to 100, owner: Wang, metric: sqls, target: 100, confidence: 5}\n"
        "      - {id: KR1.2, title: Case studies, owner: Li, kind: manual, target: 10}\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(cli_app, ["okrs", "load", str(okrs), "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    monkeypatch.setenv("OKRFUNNEL_DB", str(db))
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    no_data = EN["empty.no_data_for_metric"].split("{metric}")[0]
    open_page(at, "funnel")
    assert any(i.value.startswith(no_data) for i in at.info) and not at.get("plotly_chart")
    open_page(at, "confidence")
    assert {i.value for i in at.info} == {EN["confidence.no_checkins"], EN["confidence.no_chance"], EN["confidence.no_calibration"]}
    open_page(at, "quarter_review")
    assert [i.value for i in at.info] == [EN["empty.no_data_for_metric"].format(metric="2027-Q1")]

