"""The demo company's exports and OKR files (pipelines.demo), loaded through the real CLI.

The warehouse is built once for the module: every export ingested in the order write_exports
returns, with its export date. Expected values are worked out from the files or from PRODUCT.md's
rules, not from the generator's own numbers:

- the planted bad rows are found by their text in the files (row = line number, as a spreadsheet
  shows it): a negative Google Ads cost, a 日期 of 2026-13-01, a HubSpot Create Date of
  2026-09-31, a competitor count of "1.2万";
- the story: Baidu stops after 2026-06-30; 2026-Q3 spends more than 2026-Q2 at a lower cost per
  SQL; 2026-Q3 has over twice the SQLs of 2026-Q1; the leading competitor on Zhihu is above us
  when Q4 starts;
- the OKR files: each KR's baseline is its metric's value for the previous quarter, and as of
  2026-11-22 the statuses (PRODUCT.md thresholds: achieved >= 1, on_track >= expected - 0.10,
  at_risk >= expected - 0.25) are the ones the demo is built to show.
"""

from __future__ import annotations

import csv
import doctest
import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from conftest import metrics
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.demo import (
    DEMO_CYCLES,
    DEMO_TODAY,
    measures,
    okrs,
    write_exports,
    write_okr_files,
)

METRIC_NAMES = {
    "leads", "mqls", "sqls", "opportunities", "wins", "won_revenue", "mql_to_sql_rate", "sql_to_won_rate",
    "spend", "impressions", "clicks", "cost_per_mql", "cost_per_sql", "followers", "net_new_followers",
    "top_competitor_followers",
}
PLANTED = [  # file, text that marks the row, heading reported, value reported
    ("google_ads_campaign_report_2025-07-01_2025-12-31.csv", "Display - Remarketing", "Cost", "-38.60"),
    ("zhihu_followers_2026H1.csv", "2026-13-01", "日期", "2026-13-01"),
    ("hubspot_contacts_2026-11-23.csv", "2026-09-31 14:20", "Create Date", "2026-09-31 14:20"),
    ("zhihu_competitors.csv", "1.2万", "粉丝数", "1.2万"),
]
AS_OF = date(2026, 11, 22)
Q4_EXPECTED = 53 / 92  # 2026-10-01..11-22 of 2026-10-01..12-31


def _hashes(files) -> dict[str, str]:
    return {f.path.name: hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The warehouse ``okrfunnel demo`` builds (once for the module: ~10 s), and the files it wrote."""
    root = tmp_path_factory.mktemp("demo")
    db = root / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.delenv("OKRFUNNEL_CONFIG", raising=False)
        mp.delenv("OKRFUNNEL_DB", raising=False)
        result = CliRunner().invoke(app, ["demo", "--db", str(db), "--exports", str(root / "exports")], catch_exceptions=False)
    # The same files again, for their names and export dates (byte-identical: see below).
    files = write_exports(root / "exports")
    okr_files = write_okr_files(root / "exports" / "okrs")
    return {"root": root, "files": files, "okr_files": okr_files, "db": db, "result": result}


@pytest.fixture
def db(demo):
    """conftest's ``cli`` runs against the module's loaded warehouse."""
    return demo["db"]


def test_same_seed_same_bytes_in_another_process(demo, tmp_path):
    """A fresh process with another hash seed: no dependence on set order or the clock."""
    script = (
        "import sys; from pathlib import Path; from pipelines.demo import write_exports, write_okr_files; "
        "write_exports(Path(sys.argv[1])); write_okr_files(Path(sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "e"), str(tmp_path / "o")], check=True, env=env,
                   cwd=Path(__file__).resolve().parents[1])
    again = sorted((tmp_path / "e").iterdir())
    assert [p.name for p in again] == sorted(f.path.name for f in demo["files"])
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in again} == _hashes(demo["files"])
    for path in demo["okr_files"]:
        assert (tmp_path / "o" / path.name).read_bytes() == path.read_bytes()


def test_another_seed_other_data(demo, tmp_path):
    other = _hashes(write_exports(tmp_path, seed=7))
    mine = _hashes(demo["files"])
    assert other.keys() == mine.keys()
    assert all(other[name] != mine[name] for name in mine)


def test_files_in_ingest_order_and_dated_at_most_their_export(demo):
    files = demo["files"]
    assert 12 <= len(files) <= 16
    assert [f.export_date for f in files] == sorted(f.export_date for f in files)
    assert max(f.export_date for f in files) == DEMO_TODAY
    names = [f.path.name for f in files]
    assert names.index("hubspot_contacts_2026-04-01.csv") < names.index("hubspot_contacts_2026-11-23.csv")


def _planted(demo) -> list[tuple]:
    """(file, row, column, value) of each planted row, its row found by its text in the file."""
    expected = []
    for name, marker, column, value in PLANTED:
        text = (demo["root"] / "exports" / name).read_text(encoding="utf-8-sig")
        (row,) = [i for i, line in enumerate(text.splitlines(), start=1) if marker in line]
        expected.append((name, row, column, value))
    return expected


def test_every_file_loads_and_the_planted_rows_are_set_aside(demo, cli):
    assert demo["result"].exit_code == 0, demo["result"].stderr
    runs = cli("runs", "--format", "json").json()
    assert [r["file_name"] for r in runs] == [f.path.name for f in demo["files"]]
    assert {r["status"] for r in runs} == {"loaded", "loaded_with_rows_set_aside"}
    rows = [(r["file"], r["row"], r["column"], r["value"]) for r in cli("quarantine", "--format", "json").json()]
    assert sorted((f, c, v) for f, _, c, v in rows) == sorted((f, c, v) for f, _, c, v in _planted(demo))
    # The HubSpot snapshot's row is checked on its own below.
    assert sorted(r for r in rows if not r[0].startswith("hubspot")) == \
        sorted(r for r in _planted(demo) if not r[0].startswith("hubspot"))


def test_planted_row_in_the_large_crm_snapshot_has_its_line_number(demo, cli):
    rows = [(r["file"], r["row"], r["column"], r["value"]) for r in cli("quarantine", "--format", "json").json()]
    assert [r for r in rows if r[0].startswith("hubspot")] == [r for r in _planted(demo) if r[0].startswith("hubspot")]


def test_sources_recognised_from_the_headers(demo, cli):
    sources = {r["file_name"]: r["source"] for r in cli("runs", "--format", "json").json()}
    assert sources["hubspot_contacts_2026-11-23.csv"] == "hubspot_contacts"
    assert sources["google_ads_campaign_report_2026-06-01_2026-11-22.csv"] == "google_ads_campaigns"
    assert sources["linkedin_campaign_performance_2026-04-01_2026-11-22.csv"] == "linkedin_campaigns"
    assert sources["baidu_tuiguang_2026-01-01_2026-06-30.csv"] == "baidu_tuiguang"
    assert sources["wechat_user_growth_2026-07-01_2026-11-22.xlsx"] == "wechat_user_growth"
    assert sources["zhihu_followers_2026H2.csv"] == "generic_followers"
    assert sources["zhihu_competitors.csv"] == "competitor_followers"
    baidu = demo["root"] / "exports" / "baidu_tuiguang_2026-01-01_2026-06-30.csv"
    assert baidu.read_bytes().startswith("日期".encode("gbk"))


def test_baidu_switched_off_after_q2(cli):
    (q2,) = metrics(cli, "2026-Q2", "spend", filters=("platform=baidu",))
    assert q2["spend"] > 0
    after = metrics(cli, "2026-07-01..2026-11-22", "spend", by="platform")
    assert {r["platform"] for r in after} == {"google_ads", "linkedin_ads"}


def test_okr_adoption_more_spend_cheaper_sqls(cli):
    q1, q2, q3 = metrics(cli, "2026-Q1", "sqls", "spend", "cost_per_sql") + \
        metrics(cli, "2026-Q2", "sqls", "spend", "cost_per_sql") + metrics(cli, "2026-Q3", "sqls", "spend", "cost_per_sql")
    assert q3["spend"] > q2["spend"]
    assert q3["cost_per_sql"] < q2["cost_per_sql"]
    assert q3["sqls"] > 2 * q1["sqls"]


def test_leading_competitor_above_us_on_zhihu_when_q4_starts(cli):
    (start,) = metrics(cli, "2026-10-01..2026-10-01", "followers", "top_competitor_followers", filters=("platform=zhihu",))
    assert start["top_competitor_followers"] > start["followers"] > 0


def _okrs(demo) -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in demo["okr_files"] if p.name.startswith("okrs_")}


def _krs(doc: dict) -> list[dict]:
    return [kr for objective in doc["objectives"] for kr in objective["key_results"]]


def test_okr_files_are_well_formed(demo):
    assert [p.name for p in demo["okr_files"]] == [
        "okrs_2026-Q3.yaml", "scores_2026-Q3.yaml", "okrs_2026-Q4.yaml", "okrs_2026-Q4_revised.yaml",
        "checkins_2026-Q4_week47.csv"]
    docs = _okrs(demo)
    assert {d["cycle"] for d in docs.values()} == set(DEMO_CYCLES)
    for doc in docs.values():
        krs = _krs(doc)
        ids = [kr["id"] for kr in krs]
        assert len(ids) == len(set(ids))
        assert 2 <= len(doc["objectives"]) <= 3 and all(2 <= len(o["key_results"]) <= 4 for o in doc["objectives"])
        for kr in krs:
            assert kr["kind"] == "manual" or kr["metric"] in METRIC_NAMES
            assert 1 <= kr["confidence"] <= 10
        objective_ids = {o["id"] for o in doc["objectives"]}
        assert all(o["aligns_to"] in objective_ids for o in doc["objectives"] if "aligns_to" in o)
        assert any("aligns_to" in o for o in doc["objectives"])
        assert {c["kr"] for c in doc["checkins"]} == set(ids)  # every KR is checked in
        assert {t["kr"] for t in doc["tasks"]} <= set(ids)
        assert {t["status"] for t in doc["tasks"]} <= {"todo", "doing", "done", "blocked"}
        assert all(c["date"].weekday() == 0 for c in doc["checkins"])
    with (demo["root"] / "exports" / "okrs" / "checkins_2026-Q4_week47.csv").open(encoding="utf-8", newline="") as fh:
        week47 = list(csv.DictReader(fh))
    assert list(week47[0]) == ["kr", "date", "confidence", "note"]
    assert {r["kr"] for r in week47} <= {kr["id"] for kr in _krs(docs["okrs_2026-Q4.yaml"])}


def test_revision_changes_one_target(demo):
    docs = _okrs(demo)
    before, after = _krs(docs["okrs_2026-Q4.yaml"]), _krs(docs["okrs_2026-Q4_revised.yaml"])
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1
    a, b = changed[0]
    assert a["target"] != b["target"]
    assert b["approved_by"] and b["revision_date"] == date(2026, 10, 26)
    assert {k: v for k, v in b.items() if k not in ("target", "title", "approved_by", "revision_date")} == \
        {k: v for k, v in a.items() if k not in ("target", "title")}


def _value(cli, kr: dict, period: str):
    filters = tuple(f"{dim}={','.join(values)}" for dim, values in (kr.get("filters") or {}).items())
    (row,) = metrics(cli, period, kr["metric"], filters=filters)
    return row[kr["metric"]]


def test_baselines_are_last_quarters_actuals(demo, cli):
    docs = _okrs(demo)
    for name, previous in (("okrs_2026-Q3.yaml", "2026-Q2"), ("okrs_2026-Q4.yaml", "2026-Q3")):
        for kr in _krs(docs[name]):
            if kr["kind"] == "manual":
                continue
            assert kr["baseline"] == pytest.approx(_value(cli, kr, previous), abs=0.5 if kr["metric"] == "cost_per_sql" else 0.0005), (name, kr["id"])


def _status(attainment: float, expected: float) -> str:
    if attainment >= 1:
        return "achieved"
    if attainment >= expected - 0.10:
        return "on_track"
    return "at_risk" if attainment >= expected - 0.25 else "off_track"


def _attainment(kr: dict, actual: float) -> float:
    if kr["kind"] == "total":
        return actual / kr["target"]
    return (actual - kr["baseline"]) / (kr["target"] - kr["baseline"])


def test_q4_story_as_of_2026_11_22(demo, cli):
    krs = {kr["id"]: kr for kr in _krs(_okrs(demo)["okrs_2026-Q4_revised.yaml"])}
    statuses = {
        kr_id: _status(_attainment(kr, _value(cli, kr, f"2026-10-01..{AS_OF}")), Q4_EXPECTED)
        for kr_id, kr in krs.items() if kr["kind"] != "manual"
    }
    assert statuses == {"KR1.1": "on_track", "KR1.2": "at_risk", "KR1.3": "off_track", "KR2.1": "off_track",
                        "KR2.2": "on_track", "KR3.1": "on_track"}
    assert krs["KR2.1"]["target"] == _value(cli, {"metric": "top_competitor_followers", "filters": {"platform": ["zhihu"]}}, "2026-Q3")


def test_q4_checkins_tell_the_story(demo):
    doc = _okrs(demo)["okrs_2026-Q4.yaml"]
    by_kr: dict[str, list] = {}
    for c in doc["checkins"]:
        by_kr.setdefault(c["kr"], []).append((c["date"], c["confidence"]))
    drops = {kr for kr, series in by_kr.items() if any(a[1] - b[1] >= 2 for a, b in pairwise(series))}
    assert drops == {"KR1.3"}
    assert {c for _, c in by_kr["KR2.1"]} == {8}  # stays at 8 while off track
    with (demo["root"] / "exports" / "okrs" / "checkins_2026-Q4_week47.csv").open(encoding="utf-8", newline="") as fh:
        week47 = {r["kr"]: r for r in csv.DictReader(fh)}
    stale = [kr for kr, series in by_kr.items() if kr not in week47 and (DEMO_TODAY - series[-1][0]).days >= 21]
    assert stale == ["KR3.2"]


def test_q3_closes_with_a_mix(demo, cli):
    outcomes = {
        kr["id"]: _attainment(kr, _value(cli, kr, "2026-Q3")) >= 1
        for kr in _krs(_okrs(demo)["okrs_2026-Q3.yaml"]) if kr["kind"] != "manual"
    }
    assert outcomes == {"KR1.1": True, "KR1.2": False, "KR1.3": True, "KR2.1": False, "KR3.1": False}


@pytest.mark.parametrize("module", [measures, okrs])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_demo_command_reports_what_it_built(demo):
    out = demo["result"].stdout
    assert "wrote 16 exports and the OKR files to" in out
    assert "4 set aside (see `okrfunnel quarantine`)" in out
    assert "scores_2026-Q3.yaml: 2026-Q3: 23 scores recorded; 2026-Q3 closed" in out
    assert "okrs_2026-Q4_revised.yaml: 2026-Q4: 3 objectives, 7 key results" in out
    assert "1 revisions recorded: KR1.1 target 450 -> 500" in out
    assert "checkins_2026-Q4_week47.csv: 2026-Q4: 6 check-ins loaded" in out


def test_demo_krs_tell_the_story(demo, cli):
    """As of the data's last day (2026-11-22): the statuses worked out from `metrics` in
    test_q4_story_as_of_2026_11_22, the manual KR behind (6 of 20 at 53/92 of the quarter) and
    stale, the owner at 8 on an off-track KR flagged overconfident, KR1.3's fall of 2 flagged."""
    rows = {r["kr_id"]: r for r in cli("krs", "--cycle", "2026-Q4", "--format", "json").json()}
    assert {r["as_of"] for r in rows.values()} == {"2026-11-22"}
    assert {k: r["status"] for k, r in rows.items()} == {
        "KR1.1": "on_track", "KR1.2": "at_risk", "KR1.3": "off_track", "KR2.1": "off_track",
        "KR2.2": "on_track", "KR3.1": "on_track", "KR3.2": "off_track",
    }
    assert {k: r["confidence_flags"] for k, r in rows.items() if r["confidence_flags"]} == {
        "KR2.1": "overconfident", "KR3.2": "stale",
    }
    assert (rows["KR1.1"]["target"], rows["KR1.1"]["expected"]) == (500, round(53 / 92, 4))
    assert rows["KR3.2"]["actual"] == 6 and rows["KR3.2"]["attainment"] == 0.3
    drops = [(r["kr_id"], r["date"], r["change_prev"]) for r in cli("confidence", "--cycle", "2026-Q4", "--format", "json").json() if r["flags"] == "drop"]
    assert drops == [("KR1.3", "2026-11-09", -2)]
    # Before the revision of 2026-10-26 the target was 450.
    assert {r["kr_id"]: r["target"] for r in cli("krs", "--cycle", "2026-Q4", "--as-of", "2026-10-20", "--format", "json").json()}["KR1.1"] == 450


def test_demo_closed_quarter_feeds_calibration(cli):
    rows = {r["owner"]: r for r in cli("calibration", "--format", "json").json()}
    assert rows["(team)"]["key_results"] == 7
    assert sum(r["key_results"] for o, r in rows.items() if o != "(team)") == 7


def test_demo_is_the_same_every_time(demo, tmp_path, monkeypatch):
    """Built again in another folder: the same KR numbers and the same impact, to the digit."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    again = tmp_path / "again.duckdb"
    assert runner.invoke(app, ["demo", "--db", str(again), "--exports", str(tmp_path / "x")]).exit_code == 0

    def numbers(db):
        krs = runner.invoke(app, ["krs", "--cycle", "2026-Q4", "--db", str(db), "--format", "json"]).stdout
        impact = runner.invoke(app, ["impact", "--cycle", "2026-Q3", "--db", str(db), "--format", "json"]).stdout
        return krs, impact

    assert numbers(again) == numbers(demo["db"])
    refused = runner.invoke(app, ["demo", "--db", str(again)])
    assert refused.exit_code == 1 and "a warehouse already exists here" in refused.stderr and "--replace" in refused.stderr


def test_demo_q3_is_scored_and_reviewed(demo):
    """Final = committee, else self; objectives by KR weight: O1 (10 x .4 + 8 x .3 + 7 x .3) = 8.5,
    O2 (5 x .6 + 10 x .4) = 7, O3 (9 x .5 + 10 x .5) = 9.5. 王芳 owns KR1.1 only (final 10):
    10 x .75 + values 9 x .15 + review 9 x .10 = 7.5 + 1.35 + 0.9 = 9.75."""
    result = CliRunner().invoke(app, ["scores", "--cycle", "2026-Q3", "--format", "json", "--db", str(demo["db"])])
    rows = json.loads(result.stdout)
    assert {r["objective_id"]: r["score"] for r in rows if r["level"] == "objective"} == {"O1": 8.5, "O2": 7, "O3": 9.5}
    assert [r["performance"] for r in rows if r["level"] == "person" and r["person"] == "王芳"] == [9.75]
    from pipelines.okr_scores import review_notes
    from pipelines.warehouse import reader

    with reader(demo["db"]) as con:
        notes = review_notes(con, "2026-Q3")
    assert [len(notes["lessons"]), len(notes["next_steps"])] == [3, 3]
    assert notes["lessons"][1] == {"text": "信心指数连续多周不变时，要追问数据是否支撑", "by": "王芳"}
