"""Quarter-over-quarter impact on fixtures/okrs/ (see test_kr_evaluation.py for the data), by hand.

2026-Q3 against 2026-Q2, whole quarters:
  SQLs 13 (12 paid_search + 1 email) against 2 (L14, L15 on 05-10, paid_search): +11, +550%.
  Leads and MQLs: all 15 leads were created and became MQL in Q2: 0 against 15.
  Spend: Q3 1200.333 + 1000.333 + 1100.333 + 1099.001 + 5000 + 0.333 + 0.333 + 0.334 = 9401.00;
  Q2 800.25. By platform, to the cent: google_ads 7300.666 -> 7300.67, linkedin_ads 2099.334 ->
  2099.33, baidu, bing_ads, meta_ads 0.33 each: 9400.99, a cent short of 9401.00, which the
  largest part takes: google_ads 7300.68. By channel: paid_search 7301.332 -> 7301.33, paid_social
  2099.668 -> 2099.67: 9401.00 as it is.
  Cost per SQL: 9401 / 13 = 723.1538 against 800.25 / 2 = 400.125.
  Followers at the end: zhihu 1500 + linkedin 5000 = 6500 against zhihu 1000 on 06-30;
  net new 6500 - 1000 = 5500 against 1000 - 0.
"""

from __future__ import annotations

import pytest


def impact(cli, *args) -> list[dict]:
    result = cli("impact", "--cycle", "2026-Q3", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def section(rows, name, **match) -> dict:
    return {(r["metric"], r["kr_id"] or r["member"]): r for r in rows
            if r["section"] == name and all(r[k] == v for k, v in match.items())}


def test_quarter_against_the_previous(loaded):
    rows = section(impact(loaded, "--as-of", "2026-09-30"), "quarter")
    assert {r["period"] for r in rows.values()} == {"2026-Q3"} and {r["compared_to"] for r in rows.values()} == {"2026-Q2"}
    pick = ("value", "previous", "change", "pct_change")
    assert [rows[(m, None)][k] for m in ("sqls",) for k in pick] == [13, 2, 11, 5.5]
    assert [rows[("leads", None)][k] for k in pick] == [0, 15, -15, -1.0]
    assert [rows[("spend", None)][k] for k in pick] == [9401.0, 800.25, 8600.75, round(8600.75 / 800.25, 4)]
    assert round(rows[("cost_per_sql", None)]["value"], 4) == 723.1538 and rows[("cost_per_sql", None)]["previous"] == 400.125
    assert [rows[("followers", None)][k] for k in pick[:3]] == [6500, 1000, 5500]
    assert [rows[("net_new_followers", None)][k] for k in pick[:3]] == [5500, 1000, 4500]


def test_changes_split_by_channel_and_platform_add_up(loaded):
    rows = impact(loaded, "--as-of", "2026-09-30")
    by_platform = section(rows, "split", metric="spend", dimension="platform")
    assert {m: (r["value"], r["previous"], r["change"]) for (_, m), r in by_platform.items()} == {
        "google_ads": (7300.68, 800.25, 6500.43),
        "linkedin_ads": (2099.33, 0, 2099.33),
        "baidu": (0.33, 0, 0.33), "bing_ads": (0.33, 0, 0.33), "meta_ads": (0.33, 0, 0.33),
    }
    by_channel = section(rows, "split", metric="spend", dimension="channel")
    assert {m: r["value"] for (_, m), r in by_channel.items()} == {"paid_search": 7301.33, "paid_social": 2099.67}
    sqls = section(rows, "split", metric="sqls", dimension="channel")
    assert {m: (r["value"], r["previous"], r["change"]) for (_, m), r in sqls.items()} == {
        "paid_search": (12, 2, 10), "email": (1, 0, 1),
    }
    assert {m: r["change"] for (_, m), r in section(rows, "split", metric="sqls", dimension="platform").items()} == {"(none)": 11}

    whole = section(rows, "quarter")
    for metric in ("leads", "mqls", "sqls", "spend", "net_new_followers"):
        for dim in ("channel", "platform"):
            parts = section(rows, "split", metric=metric, dimension=dim).values()
            for key in ("value", "previous", "change"):
                assert round(sum(p[key] for p in parts), 2) == whole[(metric, None)][key], (metric, dim, key)


def test_each_krs_metric_with_its_filters(loaded):
    rows = section(impact(loaded, "--as-of", "2026-09-30"), "kr")
    assert {k: (r["metric"], r["filters"], r["value"], r["previous"]) for (_, k), r in rows.items()} == {
        "KR1.1": ("sqls", "channel=paid_search", 12, 2),
        "KR1.2": ("followers", "platform=zhihu", 1500, 1000),
        "KR1.3": ("cost_per_sql", "", pytest.approx(9401 / 13), 400.125),
        "KR2.1": ("sqls", "channel=events", 0, 0),
    }


def test_since_adoption(loaded, tmp_path):
    # No [okr] adoption_baseline: the quarter before the first cycle with OKRs (2026-Q3) is 2026-Q2.
    rows = section(impact(loaded, "--as-of", "2026-09-30"), "since_adoption")
    assert rows[("sqls", None)]["compared_to"] == "2026-Q2"
    assert (rows[("sqls", None)]["multiple"], rows[("sqls", None)]["pct_change"]) == (6.5, 5.5)
    assert rows[("cost_per_sql", None)]["multiple"] == round((9401 / 13) / 400.125, 4)

    (tmp_path / "okrfunnel.toml").write_text('[okr]\nadoption_baseline = "2026-Q1"\n', encoding="utf-8")
    rows = section(impact(loaded, "--as-of", "2026-09-30"), "since_adoption")
    assert rows[("sqls", None)]["compared_to"] == "2026-Q1"
    assert (rows[("sqls", None)]["previous"], rows[("sqls", None)]["multiple"]) == (0, None)
    assert rows[("spend", None)]["previous"] is None  # no cost export reaches back to Q1


def test_a_running_quarter_is_compared_like_for_like(loaded):
    rows = section(impact(loaded, "--as-of", "2026-07-28"), "quarter")
    sqls = rows[("sqls", None)]
    assert (sqls["period"], sqls["compared_to"]) == ("2026-07-01..2026-07-28", "2026-04-01..2026-04-28")
    assert (sqls["value"], sqls["previous"]) == (12, 0)
    assert (rows[("leads", None)]["value"], rows[("leads", None)]["previous"]) == (0, 2)
    assert (rows[("spend", None)]["value"], rows[("spend", None)]["previous"], rows[("spend", None)]["change"]) == (4400.0, None, None)


def test_a_first_quarter_of_data_has_no_change_to_split(loaded):
    """Cost data starts in 2026-Q2 (06-10): against Q1 there is no previous spend, in the whole
    or in its parts. SQLs are counts, known to be 0 in Q1 (email: its lead was an MQL in Q2, its SQL
    came in Q3, so 0 against 0)."""
    rows = loaded("impact", "--cycle", "2026-Q2", "--format", "json").json()
    (google,) = section(rows, "split", metric="spend", dimension="platform").values()
    assert (google["member"], google["value"], google["previous"], google["change"]) == ("google_ads", 800.25, None, None)
    assert section(rows, "quarter")[("spend", None)]["change"] is None
    assert {m: r["change"] for (_, m), r in section(rows, "split", metric="sqls", dimension="channel").items()} == {"paid_search": 2, "email": 0}


def test_any_quarter_and_bad_cycles(loaded):
    result = loaded("impact", "--cycle", "2026-Q2", "--format", "json")
    assert result.exit_code == 0
    sqls = section(result.json(), "quarter")[("sqls", None)]
    assert (sqls["period"], sqls["compared_to"], sqls["value"], sqls["previous"]) == ("2026-Q2", "2026-Q1", 2, 0)
    result = loaded("impact", "--cycle", "2026-07")
    assert result.exit_code == 1 and "not a quarter (got '2026-07')" in result.stderr
    result = loaded("impact", "--cycle", "2025-Q1")
    assert result.exit_code == 1 and "no data in 2025-Q1" in result.stderr
