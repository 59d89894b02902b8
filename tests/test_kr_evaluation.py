"""KR evaluation, confidence drift and calibration, worked out by hand from fixtures/okrs/.

Data (fixtures/okrs/leads.csv, cost.csv, followers.csv); cycle 2026-Q3 = 07-01..09-30, 92 days.
Weeks of the cycle: W1 07-01..07-07, W2 07-08..07-14, W3 07-15..07-21, W4 07-22..07-28.
  SQLs on paid_search by week: W1 2 (07-02, 07-06), W2 3 (07-08, 07-10, 07-14), W3 3, W4 3;
  one more on 07-29. Email: one SQL on 07-12 (W2). So all SQLs to 07-28: 12.
  Spend: W1 1200.333, W2 1000.333, W3 1100.333, W4 1099.001 (4400 to 07-28); 5000 on 07-29.
  Zhihu followers at W1..W4 ends: 1100, 1250, 1300, 1400; 1500 on 07-29 (1000 on 06-30).

As of 2026-07-28: expected = 28 / 92 = 0.304348 -> 0.3043. Status bands: on_track from
0.3043 - 0.10 = 0.2043, at_risk from 0.0543.
  KR1.1 sqls total, channel paid_search, target 40: actual 11, attainment 11/40 = 0.275 ->
    on_track; forecast 11 / (28/92) = 36.142857; weekly output 2,3,3,3: mean 2.75, sample sd 0.5;
    64 days left: sd at the end 0.5 * sqrt(64/7) = 1.511858; chance P(N(36.142857, 1.511858) >= 40).
  KR1.2 followers level, zhihu, 1000 -> 2000: actual 1400, attainment 0.4 -> on_track. Trend through
    (day 6, 1100), (13, 1250), (20, 1300), (27, 1400): mean x 16.5, mean y 1262.5, Sxx 245,
    Sxy 3325, slope 13.571429; at day 91: 1262.5 + 13.571429 * 74.5 = 2273.5714. Changes 150, 50,
    100: sd 50; chance P(N(2273.5714, 50 * sqrt(64/7)) >= 2000).
  KR1.3 cost_per_sql level 500 -> 300: 4400 / 12 = 366.6667; attainment (366.6667 - 500) /
    (300 - 500) = 0.6667 -> on_track. Forecast: spend and SQLs each at their pace of the last four
    whole weeks (W1-W4: 4400 and 12 over 28 days) for the 64 days left:
    (4400 + 4400/28 * 64) / (12 + 12/28 * 64) = 366.6667.
  KR2.1 sqls total, channel events, target 100: actual 0 -> off_track.
  KR2.2 manual, target 12: check-in values 3 (07-06), 5 (07-20), 9 (07-30, after the as-of day)
    -> actual 5, attainment 0.4167 -> on_track.
  Objective progress: O1 (2 x 0.275 + 0.4 + 0.6667) / 4 = 0.4042; O2 (0 + 0.4167) / 2 = 0.2083
  (the rows carry the mean of rounded attainments: (0 + 0.4167) / 2 = 0.20835 -> 0.2084).
Confidence as of 07-28:
  KR1.1: start 5 (set in the file); 07-06 7 (+2), 07-13 4 (-3: drop), 07-27 4 (0); now 4, no flag.
  KR1.2: one check-in 07-06 (8): 22 days before 07-28 -> stale.
  KR1.3: 3 while on_track -> underconfident.   KR2.1: 8 while off_track -> overconfident.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from conftest import FIXTURES, query

OKRS = FIXTURES / "okrs"


def krs(cli, *args) -> dict[str, dict]:
    result = cli("krs", "--cycle", "2026-Q3", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {r["kr_id"]: r for r in result.json()}


def test_each_kind_as_of_a_day(loaded):
    rows = krs(loaded, "--as-of", "2026-07-28")

    kr = rows["KR1.1"]
    assert (kr["actual"], kr["attainment"], kr["expected"], kr["status"]) == (11, 0.275, 0.3043, "on_track")
    assert kr["forecast"] == round(11 / (28 / 92), 4) == 36.1429
    assert kr["chance"] == round(1 - NormalDist(11 * 92 / 28, 0.5 * math.sqrt(64 / 7)).cdf(40), 4)
    assert kr["filters"] == "channel=paid_search"
    assert kr["data_as_of"] == "2026-07-28"

    kr = rows["KR1.2"]
    assert (kr["actual"], kr["attainment"], kr["status"], kr["forecast"]) == (1400, 0.4, "on_track", 2273.5714)
    assert kr["chance"] == round(1 - NormalDist(1262.5 + 3325 / 245 * 74.5, 50 * math.sqrt(64 / 7)).cdf(2000), 4)

    kr = rows["KR1.3"]
    assert round(kr["actual"], 4) == 366.6667
    assert (kr["attainment"], kr["status"], kr["forecast"]) == (0.6667, "on_track", round(4400 / 12, 4))
    assert kr["data_as_of"] == "2026-07-24"  # the cost export's last day: cost per SQL is only known to then

    assert (rows["KR2.1"]["actual"], rows["KR2.1"]["status"], rows["KR2.1"]["data_as_of"]) == (0, "off_track", None)
    assert (rows["KR2.2"]["kind"], rows["KR2.2"]["actual"], rows["KR2.2"]["attainment"]) == ("manual", 5, 0.4167)
    assert rows["KR2.2"]["forecast"] is None

    assert [rows[k]["objective_progress"] for k in ("KR1.1", "KR2.1")] == [0.4042, 0.2084]


def test_confidence_flags_on_krs(loaded):
    rows = krs(loaded, "--as-of", "2026-07-28")
    assert {k: (r["confidence"], r["confidence_start"], r["confidence_flags"]) for k, r in rows.items()} == {
        "KR1.1": (4, 5, ""),
        "KR1.2": (8, 8, "stale"),
        "KR1.3": (3, 3, "underconfident"),
        "KR2.1": (8, 8, "overconfident"),
        "KR2.2": (6, 6, ""),
    }


def test_drift_lists_every_checkin_with_changes(loaded):
    result = loaded("confidence", "--cycle", "2026-Q3", "--as-of", "2026-07-28", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = [(r["kr_id"], r["date"], r["confidence"], r["change_prev"], r["change_start"], r["flags"]) for r in result.json()]
    assert rows == [
        ("KR1.1", "2026-07-06", 7, 2, 2, ""),
        ("KR1.1", "2026-07-13", 4, -3, -1, "drop"),
        ("KR1.1", "2026-07-27", 4, 0, -1, ""),
        ("KR1.2", "2026-07-06", 8, None, 0, ""),
        ("KR1.3", "2026-07-20", 3, None, 0, ""),
        ("KR2.1", "2026-07-27", 8, None, 0, ""),
        ("KR2.2", "2026-07-06", 6, None, 0, ""),
        ("KR2.2", "2026-07-20", 6, 0, 0, ""),
    ]


def test_as_of_is_honoured(loaded):
    """An earlier day gives that day's numbers; the default is the newest day with data."""
    early = krs(loaded, "--as-of", "2026-07-14")
    # W1 + W2 on paid_search: 5 SQLs; 14 / 92 elapsed.
    assert (early["KR1.1"]["actual"], early["KR1.1"]["expected"]) == (5, round(14 / 92, 4))
    assert early["KR1.1"]["confidence"] == 4 and early["KR2.2"]["actual"] == 3
    assert early["KR1.2"]["actual"] == 1250
    # Two whole weeks only: too few to judge the spread.
    assert early["KR1.1"]["chance"] is None

    latest = krs(loaded)
    # The newest data in the cycle: cost rows on 2026-09-02.
    assert {r["as_of"] for r in latest.values()} == {"2026-09-02"}
    assert latest["KR1.1"]["actual"] == 12 and latest["KR2.2"]["actual"] == 9

    after = krs(loaded, "--as-of", "2027-01-15")
    assert {r["as_of"] for r in after.values()} == {"2026-09-30"} and after["KR1.1"]["expected"] == 1

    before = loaded("krs", "--cycle", "2026-Q3", "--as-of", "2026-06-30")
    assert before.exit_code == 1 and "--as-of is before the cycle starts" in before.stderr


def test_a_revised_target_is_recorded_and_dated(loaded, tmp_path):
    revised = (OKRS / "okrs_2026-Q3.yaml").read_text(encoding="utf-8").replace(
        "        target: 40\n", "        target: 32\n        approved_by: 张伟\n        revision_date: 2026-07-20\n")
    path = tmp_path / "revised.yaml"
    path.write_text(revised, encoding="utf-8")
    result = loaded("okrs", "load", path)
    assert result.exit_code == 0, result.stderr
    assert "1 revisions recorded: KR1.1 target 40 -> 32" in result.stdout

    assert krs(loaded, "--as-of", "2026-07-28")["KR1.1"]["target"] == 32  # 11 / 32
    assert krs(loaded, "--as-of", "2026-07-28")["KR1.1"]["attainment"] == round(11 / 32, 4)
    assert krs(loaded, "--as-of", "2026-07-14")["KR1.1"]["target"] == 40  # before the revision

    listed = loaded("okrs", "revisions", "--cycle", "2026-Q3", "--format", "json").json()
    assert [(r["kr_id"], r["kr"], r["field"], r["old_value"], r["new_value"], r["revision_date"], r["approved_by"]) for r in listed] == [
        ("KR1.1", "付费搜索 SQL 本季度 40 个", "target", 40, 32, "2026-07-20", "张伟"),
    ]
    db = tmp_path / "warehouse.duckdb"
    # Check-ins are history: the re-load did not double them.
    assert query(db, "SELECT count(*) FROM checkin") == [(9,)]


def test_objectives_command(loaded):
    result = loaded("objectives", "--cycle", "2026-Q3", "--as-of", "2026-07-28", "--format", "json")
    assert [(r["objective_id"], r["progress"], r["key_results"], r["level"], r["aligns_to"]) for r in result.json()] == [
        ("O1", 0.4042, 3, "department", "C1"), ("O2", 0.2084, 2, "team", "O1"),
    ]


def test_calibration_over_closed_cycles(loaded):
    """fixtures/okrs/okrs_2026-Q2.yaml; the middle day of 04-01..06-30 (91 days) is 05-16.
    KA 王芳: 8 by the middle, reached (10/10): (0.8 - 1)^2 = 0.04
    KB 王芳: no check-in by the middle, initial 6; missed (4/10): 0.36
    KC 李娜: 3 by the middle, reached (5/5): 0.49.   KD 李娜: no confidence at all: left out.
    王芳 (0.04 + 0.36) / 2 = 0.2 over 2; 李娜 0.49 over 1; team 0.89 / 3 = 0.2967 over 3.
    2026-Q3 is open and does not count."""
    assert loaded("okrs", "load", OKRS / "okrs_2026-Q2.yaml").exit_code == 0
    assert loaded("calibration", "--format", "json").json() == []
    assert loaded("okrs", "close", "2026-Q2").exit_code == 0
    rows = loaded("calibration", "--format", "json").json()
    assert [(r["owner"], r["key_results"], r["brier"], r["mean_confidence"], r["hit_rate"]) for r in rows] == [
        ("李娜", 1, 0.49, 3.0, 1.0), ("王芳", 2, 0.2, 7.0, 0.5), ("(team)", 3, 0.2967, 5.67, 0.6667),
    ]


def test_a_closed_cycle_no_longer_loads(loaded, tmp_path):
    assert loaded("okrs", "close", "2026-Q3").exit_code == 0
    result = loaded("okrs", "load", OKRS / "okrs_2026-Q3.yaml")
    assert result.exit_code == 1
    assert "cycle 2026-Q3 was closed" in result.stderr and "okrs close 2026-Q3 --reopen" in result.stderr
    assert loaded("okrs", "close", "2026-Q3", "--reopen", "--reason", "to recompute").exit_code == 0
    assert loaded("okrs", "load", OKRS / "okrs_2026-Q3.yaml").exit_code == 0


def test_unknown_cycle_names_the_known_ones(loaded):
    result = loaded("krs", "--cycle", "2025-Q1")
    assert result.exit_code == 1
    assert "column '--cycle': no OKRs loaded for this cycle (got '2025-Q1'); expected 2026-Q3" in result.stderr


def test_a_cohort_rate_counts_conversions_made_by_the_as_of_day(cli, tmp_path):
    """Four leads became MQL on 07-02, 07-03, 07-05, 07-06; SQL on 07-10, 07-20, 08-10, never.
    KR mql_to_sql_rate level 0.2 -> 0.7. As of 07-14: 1 of 4 had converted by then: 0.25,
    attainment (0.25 - 0.2) / 0.5 = 0.1. As of 07-31: 0.5 (0.6). As of the end: 0.75, achieved.
    `metrics` for 07-01..07-14 counts conversions as of the data: 3 of 4."""
    leads = tmp_path / "cohort.csv"
    leads.write_text("lead_id,created_at,mql_at,sql_at\nC1,2026-07-01,2026-07-02,2026-07-10\n"
                     "C2,2026-07-01,2026-07-03,2026-07-20\nC3,2026-07-01,2026-07-05,2026-08-10\n"
                     "C4,2026-07-01,2026-07-06,\n", encoding="utf-8")
    okrs = tmp_path / "okrs.yaml"
    okrs.write_text("cycle: 2026-Q3\nobjectives:\n  - id: O1\n    title: t\n    key_results:\n"
                    "      - {id: KR1, title: rate, metric: mql_to_sql_rate, baseline: 0.2, target: 0.7}\n", encoding="utf-8")
    assert cli("ingest", leads, "--export-date", "2026-09-01").exit_code == 0
    assert cli("okrs", "load", okrs).exit_code == 0
    rate = [(krs(cli, "--as-of", d)["KR1"]["actual"], krs(cli, "--as-of", d)["KR1"]["attainment"])
            for d in ("2026-07-14", "2026-07-31", "2026-09-30")]
    assert rate == [(0.25, 0.1), (0.5, 0.6), (0.75, 1.1)]
    assert krs(cli, "--as-of", "2026-09-30")["KR1"]["status"] == "achieved"
    (data,) = cli("metrics", "--period", "2026-07-01..2026-07-14", "--metric", "mql_to_sql_rate", "--format", "json").json()
    assert data["mql_to_sql_rate"] == 0.75
    # impact compares a running quarter like for like, cohorts converting within each span: as krs.
    impact = cli("impact", "--cycle", "2026-Q3", "--as-of", "2026-07-14", "--format", "json").json()
    (rate,) = [r for r in impact if r["section"] == "kr"]
    assert (rate["period"], rate["value"]) == ("2026-07-01..2026-07-14", 0.25)


def test_a_metric_with_nothing_loaded_for_the_cycle_has_no_data(loaded, tmp_path):
    """2026-Q4 has OKRs but no data of any kind yet: no actual, status no_data (not a zero on
    track). A metric of a kind that is loaded counts its zeros: events SQLs in Q3 (KR2.1) are 0."""
    okrs = tmp_path / "q4.yaml"
    okrs.write_text("cycle: 2026-Q4\nobjectives:\n  - id: O1\n    title: t\n    key_results:\n"
                    "      - {id: K1, title: s, metric: sqls, target: 10}\n", encoding="utf-8")
    assert loaded("okrs", "load", okrs).exit_code == 0
    (k1,) = loaded("krs", "--cycle", "2026-Q4", "--format", "json").json()
    assert (k1["actual"], k1["status"], k1["forecast"], k1["data_as_of"]) == (None, "no_data", None, None)
    assert krs(loaded, "--as-of", "2026-07-28")["KR2.1"]["status"] == "off_track"


def test_objectives_without_key_results_are_listed(cli, tmp_path):
    okrs = tmp_path / "okrs.yaml"
    okrs.write_text("cycle: 2026-Q3\nobjectives:\n  - {id: O1, title: a, key_results: [{id: K1, title: k, target: 4}]}\n"
                    "  - {id: O2, title: b, owner: 李娜}\n"
                    "checkins:\n  - {kr: K1, date: 2026-07-06, confidence: 5, value: 1}\n", encoding="utf-8")
    assert cli("okrs", "load", okrs).exit_code == 0
    rows = cli("objectives", "--cycle", "2026-Q3", "--as-of", "2026-07-10", "--format", "json").json()
    assert [(r["objective_id"], r["progress"], r["key_results"]) for r in rows] == [("O1", 0.25, 1), ("O2", None, 0)]
