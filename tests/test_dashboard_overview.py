"""The Overview and Key result pages under AppTest on the demo warehouse: the numbers shown are
`okrfunnel krs` / `impact` for the same inputs; cycle, owner and language switches; drill-down;
empty states; new data shown after a load without a restart."""

from __future__ import annotations

import json
import math
from pathlib import Path

from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.format import metric_value, percent
from pipelines.cli import app

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
runner = CliRunner()


def cli_json(*args) -> list[dict]:
    result = runner.invoke(app, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def started(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return at


def shown_krs(at: AppTest) -> dict[str, dict]:
    """The KR tables' rows by KR id, empty cells as None (as the JSON of `krs` has them)."""
    return {row["kr_id"]: {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            for frame in at.dataframe for row in frame.value.to_dict("records")}


def table_with(at: AppTest, column: str):
    (frame,) = [f.value for f in at.dataframe if column in f.value.columns]
    return frame


def test_overview_shows_the_numbers_of_krs_and_impact(warehouse):
    at = started()
    assert at.title[0].value == "2026-Q4: key results"
    expected = {r["kr_id"]: r for r in cli_json("krs", "--cycle", "2026-Q4", "--db", warehouse)}
    shown = shown_krs(at)
    assert set(shown) == set(expected)
    for kr_id, row in shown.items():
        krs = expected[kr_id]
        assert row["attainment"] == krs["attainment"], kr_id  # the bar's value; shown as a whole percent
        assert row["chance"] == percent(krs["chance"]), kr_id
        assert row["confidence"] == ("–" if krs["confidence"] is None else f"{krs['confidence']}/10"), kr_id
        assert row["forecast"] == ("–" if krs["forecast"] is None else metric_value(krs["metric"], krs["forecast"], "CNY", "en"))
        assert row["actual"] == metric_value(krs["metric"], krs["actual"], "CNY", "en"), kr_id
        assert row["target"] == metric_value(krs["metric"], krs["target"], "CNY", "en"), kr_id
    assert shown["KR2.1"]["flags"] == "overconfident" and shown["KR3.2"]["flags"] == "stale check-in"
    assert shown["KR1.2"]["status"] == "🟡 At risk"
    assert shown["KR1.1"]["forecast"] == f"{round(expected['KR1.1']['forecast']):,}"  # a count's forecast is whole
    assert shown["KR3.2"]["chance"] == "–"  # a manual KR: no chance from the data, and no "None"

    quarter = {r["metric"]: r for r in cli_json("impact", "--cycle", "2026-Q4", "--db", warehouse) if r["section"] == "quarter"}
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles["SQLs"] == (metric_value("sqls", quarter["sqls"]["value"], "CNY", "en"), f"{quarter['sqls']['pct_change']:+.1%}")
    assert tiles["Cost per SQL"][0] == metric_value("cost_per_sql", quarter["cost_per_sql"]["value"], "CNY", "en")

    alerts = " ".join(m.value for m in at.markdown)
    assert "**KR3.2**: no check-in since Oct 26, 2026" in alerts
    assert "**KR2.1**: confidence 8/10 while off track" in alerts
    assert "**KR1.3**: confidence fell by 2 on Nov 9, 2026" in alerts
    assert "The last load set aside 1 row of zhihu_competitors.csv (see Data)" in alerts
    captions = [c.value for c in at.caption]
    assert "Owner 王芳 · department objective · progress 34%" in captions
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = chart["data"][0]
    assert bars["x"][0] == expected["KR1.1"]["attainment"]
    # KR1.3 is drawn clipped at -20%; its label says how far below and that the bar goes on
    assert expected["KR1.3"]["attainment"] < -0.2 and bars["x"][2] == -0.2
    labels = [a["text"] for a in chart["layout"]["annotations"] if "Expected" not in a["text"]]
    assert labels == [f"{expected[k]['attainment']:.0%}".replace("-", "◀ −") for k in ("KR1.1", "KR1.2", "KR1.3")]


def test_switch_cycle_owner_and_language(warehouse):
    at = started()
    at.sidebar.selectbox(key="cycle").set_value("2026-Q3").run()
    q3 = {r["kr_id"]: r for r in cli_json("krs", "--cycle", "2026-Q3", "--db", warehouse)}
    assert at.title[0].value == "2026-Q3: key results"
    assert {k: r["attainment"] for k, r in shown_krs(at).items()} == {k: r["attainment"] for k, r in q3.items()}

    at.sidebar.selectbox(key="cycle").set_value("2026-Q4").run()
    at.sidebar.selectbox(key="owner_en").set_value("陈静").run()
    assert sorted(shown_krs(at)) == ["KR2.1", "KR2.2"]

    at.sidebar.radio(key="language").set_value("zh").run()
    assert not at.exception and at.title[0].value == "2026-Q4：关键结果"
    assert {m.label for m in at.metric} >= {"SQL", "单个 SQL 成本", "花费"}
    assert shown_krs(at)["KR2.1"]["status"] == "🔴 落后"
    assert any(c.value.startswith("负责人 李娜 · 部门级目标 · 进度") for c in at.caption)  # O2, the objective of her KRs
    at.sidebar.selectbox(key="owner_zh").set_value("王芳").run()
    q4 = cli_json("krs", "--cycle", "2026-Q4", "--db", warehouse)
    assert sorted(shown_krs(at)) == sorted(r["kr_id"] for r in q4 if "王芳" in (r["owner"], r["objective_owner"]))
    at.sidebar.radio(key="language").set_value("en").run()
    assert not at.exception and at.sidebar.selectbox(key="owner_en").value == "王芳"


def test_drill_down_to_a_key_result(warehouse):
    at = started()
    at.selectbox(key="overview_kr_2026-Q4").set_value("KR2.1").run()
    at.button(key="open_kr").click().run()
    assert not at.exception
    assert at.title[0].value.startswith("KR2.1 · ")
    krs = {r["kr_id"]: r for r in cli_json("krs", "--cycle", "2026-Q4", "--db", warehouse)}["KR2.1"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Actual"] == metric_value("followers", krs["actual"], "CNY", "en")
    assert tiles["Attainment"] == f"{krs['attainment']:.0%}" and tiles["Confidence"] == "8/10"
    assert tiles["Forecast"] == f"{round(krs['forecast']):,}"
    path = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert path["y"][-1] == krs["actual"]
    tasks = table_with(at, "link")
    assert set(tasks["status"]) == {"In progress", "Blocked"} and all(tasks["link"].str.startswith("https://wiki.yunfan.example/"))
    assert all(" 2026" not in d for d in tasks["due"])  # short dates: the cycle's year goes without saying

    at.selectbox(key="kr_2026-Q4").set_value("KR1.1").run()
    revisions = table_with(at, "approved_by").to_dict("records")
    assert [(r["field"], r["old_value"], r["new_value"], r["revision_date"]) for r in revisions] == [
        ("target", "450", "500", "Oct 26")]
    lineage = " ".join(m.value for m in at.markdown)
    assert "1 row set aside by these loads" in lineage


def test_new_data_shows_after_a_load_without_a_restart(warehouse, tmp_path):
    at = started()
    assert shown_krs(at)["KR3.2"]["flags"] == "stale check-in"
    checkins = tmp_path / "late.csv"
    checkins.write_text("kr,date,confidence,note,value\nKR3.2,2026-11-20,6,补打卡,9\n", encoding="utf-8")
    assert runner.invoke(app, ["okrs", "checkins", str(checkins), "--db", str(warehouse)]).exit_code == 0
    at.run()
    row = shown_krs(at)["KR3.2"]
    assert (row["flags"], row["confidence"], row["actual"]) == ("", "6/10", "9")


def test_empty_states(tmp_path, monkeypatch):
    monkeypatch.setenv("OKRFUNNEL_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.chdir(tmp_path)
    at = started()
    assert "No warehouse yet" in at.info[0].value and "okrfunnel demo" in at.code[0].value

    cost = Path(__file__).parent / "fixtures" / "okrs" / "cost.csv"
    assert runner.invoke(app, ["ingest", str(cost), "--db", str(tmp_path / "none.duckdb")]).exit_code == 0
    at = started()
    assert "No OKRs loaded yet" in at.info[0].value and "okrs template" in at.code[0].value
    at = started("views/key_result.py")
    assert "No OKRs loaded yet" in at.info[0].value


def test_drill_down_keeps_the_language_and_the_cycle(warehouse):
    at = started()
    at.sidebar.selectbox(key="cycle").set_value("2026-Q3").run()
    at.sidebar.radio(key="language").set_value("zh").run()
    at.selectbox(key="overview_kr_2026-Q3").set_value("KR2.1").run()
    at.button(key="open_kr").click().run()
    q3 = {r["kr_id"]: r for r in cli_json("krs", "--cycle", "2026-Q3", "--db", warehouse)}["KR2.1"]
    assert not at.exception
    assert at.title[0].value == f"KR2.1 · {q3['kr']}"
    assert at.sidebar.radio(key="language").value == "zh" and at.sidebar.selectbox(key="cycle").value == "2026-Q3"


def test_pipeline_errors_are_shown_as_the_cli_words_them(warehouse, tmp_path):
    """An export in a second currency without a reporting currency: every OKR page says so
    (the CLI's one line), the Data page still opens to show what was loaded."""
    usd = Path(__file__).parent / "fixtures" / "sources" / "google_ads_campaigns.csv"
    assert runner.invoke(app, ["ingest", str(usd), "--db", str(warehouse), "--export-date", "2026-09-01"]).exit_code == 0
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("several currencies (CNY, USD) and no reporting currency is set" in e.value for e in at.error)
    at.switch_page("views/data_sources.py").run()
    assert not at.exception


def test_a_cycle_with_okrs_and_no_data_yet(warehouse, tmp_path):
    okrs = tmp_path / "q1.yaml"
    okrs.write_text("cycle: 2027-Q1\nobjectives:\n  - id: O1\n    title: t\n    key_results:\n"
                    "      - {id: K1, title: s, metric: sqls, target: 10}\n", encoding="utf-8")
    assert runner.invoke(app, ["okrs", "load", str(okrs), "--db", str(warehouse)]).exit_code == 0
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception and at.sidebar.selectbox(key="cycle").value == "2027-Q1"
    assert "no data in 2027-Q1" in at.info[0].value
    assert shown_krs(at)["K1"]["status"].endswith("No data")


def test_a_check_in_after_the_datas_last_day_shows_at_once(warehouse):
    """The demo's data ends 2026-11-22; KR2.1 (off track) stood at 8/10, flagged overconfident.
    陈静 checks in 3 on 11-28: `krs` and the Overview count it now (8 -> 3 is a drop of 5);
    `krs --as-of 2026-11-22` still shows the week before."""
    from datetime import date

    from dashboard import writes
    from dashboard.auth import User

    writes.check_in(User("陈静", "member"), "2026-Q4", "KR2.1", date(2026, 11, 28), 3, "圆桌嘉宾全部取消",
                    today=date(2026, 11, 28))
    now = {r["kr_id"]: r for r in cli_json("krs", "--cycle", "2026-Q4")}["KR2.1"]
    assert (now["confidence"], now["last_checkin"], now["confidence_flags"], now["as_of"]) == (3, "2026-11-28", "", "2026-11-22")
    before = {r["kr_id"]: r for r in cli_json("krs", "--cycle", "2026-Q4", "--as-of", "2026-11-22")}["KR2.1"]
    assert (before["confidence"], before["confidence_flags"]) == (8, "overconfident")
    alerts = [m.value for m in started().markdown]
    assert "📉 **KR2.1**: confidence fell by 5 on Nov 28, 2026" in alerts
    assert not [a for a in alerts if a.startswith("⚠️ **KR2.1**")]
