"""Metric semantics of PRODUCT.md on small hand-made warehouses: periods, currencies, followers,
splits and filters, and the JSON contract of `okrfunnel metrics`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import metrics
from pipelines.errors import MetricError
from pipelines.metrics import parse_filters, parse_period


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, start, end, previous", [
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q2"),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
    ("2026-07", date(2026, 7, 1), date(2026, 7, 31), "2026-06"),
    ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "2025-12"),
    ("2026-W27", date(2026, 6, 29), date(2026, 7, 5), "2026-W26"),
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "2025-W52"),
    ("2026-07-01..2026-07-10", date(2026, 7, 1), date(2026, 7, 10), "2026-06-21..2026-06-30"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
])
def test_periods(text, start, end, previous):
    period = parse_period(text)
    assert (period.start, period.end, period.previous().label) == (start, end, previous)


def test_fiscal_quarters():
    """Fiscal year starting in April, named by the year it starts: 2026-Q4 is Jan-Mar 2027."""
    period = parse_period("2026-Q4", fiscal_start_month=4)
    assert (period.start, period.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert parse_period("2026-Q1", fiscal_start_month=4).previous().start == date(2026, 1, 1)


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-13", "Q3", "2026-07-10..2026-07-01", "2026-W54"])
def test_bad_periods_are_refused(bad):
    with pytest.raises(MetricError, match="bad period"):
        parse_period(bad)


def test_filters_parse_and_refuse_unknown_dimensions():
    assert parse_filters(["channel=paid_search, paid_social", "platform=baidu"]) == {
        "channel": ["paid_search", "paid_social"], "platform": ["baidu"]}
    with pytest.raises(MetricError, match="bad filter"):
        parse_filters(["colour=red"])


COST = """date,platform,channel,campaign,spend,impressions,clicks,currency
2026-07-01,baidu,paid_search,brand,100,1000,10,CNY
2026-07-02,baidu,paid_search,generic,50,500,5,CNY
2026-07-01,linkedin_ads,paid_social,abm,20,200,2,USD
2026-08-01,baidu,paid_search,brand,30,300,3,CNY
"""
LEADS = """lead_id,created_at,mql_at,sql_at,channel
1,2026-07-01,2026-07-02,2026-07-05,paid_search
2,2026-07-01,2026-07-03,,paid_search
3,2026-07-02,2026-07-04,2026-07-06,paid_social
4,2026-08-01,2026-08-02,2026-08-03,paid_search
"""


def _load(cli, tmp_path, config: str | None = None):
    if config is not None:
        write(tmp_path / "okrfunnel.toml", config)
    assert cli("ingest", write(tmp_path / "cost.csv", COST), write(tmp_path / "leads.csv", LEADS),
               "--export-date", "2026-09-01").exit_code == 0


def test_several_currencies_need_a_rate(cli, tmp_path):
    _load(cli, tmp_path)
    result = cli("metrics", "--period", "2026-07", "--metric", "spend")
    assert result.exit_code == 1
    assert "the data holds several currencies (CNY, USD) and no reporting currency is set" in result.stderr
    write(tmp_path / "okrfunnel.toml", 'reporting_currency = "CNY"\n')
    result = cli("metrics", "--period", "2026-07", "--metric", "spend")
    assert result.exit_code == 1
    assert "column 'fx.USD': no exchange rate for USD into the reporting currency CNY" in result.stderr


def test_spend_and_costs_in_the_reporting_currency(cli, tmp_path):
    """July: CNY 100 + 50, USD 20 x 7 = 140 -> 290 CNY; MQLs 3, SQLs 2 (leads 1, 3):
    cost per MQL 290/3, per SQL 145. By channel: paid_search 150 / MQLs 2 = 75."""
    _load(cli, tmp_path, 'reporting_currency = "CNY"\n[fx]\nUSD = 7\n')
    (july,) = metrics(cli, "2026-07", "spend", "impressions", "clicks", "mqls", "sqls", "cost_per_mql", "cost_per_sql")
    assert july == {"period": "2026-07", "spend": 290, "impressions": 1700, "clicks": 17, "mqls": 3,
                    "sqls": 2, "cost_per_mql": pytest.approx(290 / 3), "cost_per_sql": 145}
    by_channel = metrics(cli, "2026-07", "spend", "mqls", "cost_per_mql", by="channel")
    assert by_channel == [
        {"period": "2026-07", "channel": "paid_search", "spend": 150, "mqls": 2, "cost_per_mql": 75},
        {"period": "2026-07", "channel": "paid_social", "spend": 140, "mqls": 1, "cost_per_mql": 140},
    ]
    filtered = metrics(cli, "2026-Q3", "spend", "sqls", filters=("platform=baidu",))
    assert filtered == [{"period": "2026-Q3", "spend": 180, "sqls": 0}]


def test_several_periods_in_one_call_keep_their_order(cli, tmp_path):
    _load(cli, tmp_path, 'reporting_currency = "CNY"\n[fx]\nUSD = 7\n')
    result = cli("metrics", "--period", "2026-08", "--period", "2026-07", "--metric", "mqls", "--format", "csv")
    assert result.stdout == "period,mqls\n2026-08,1\n2026-07,3\n"


FOLLOWERS = """date,platform,account,followers
2026-06-30,zhihu,ours,1000
2026-07-15,zhihu,ours,1200
2026-07-31,zhihu,ours,1300
2026-06-20,zhihu,rival,5000
2026-07-10,zhihu,rival,5100
2026-07-01,wechat,ours,300
2026-08-05,wechat,ours,350
"""


def test_followers_are_the_last_value_up_to_the_period_end(cli, tmp_path):
    """July: zhihu/ours 1300 (07-31), zhihu/rival 5100 (07-10), wechat/ours 300 (07-01) = 6700.
    At June's end: 1000 + 5000 + 0 for wechat (no data yet) = 6000, so net new 700.
    August: 1300 + 5100 + 350 = 6750, net new vs July 50."""
    cli("ingest", write(tmp_path / "f.csv", FOLLOWERS), "--export-date", "2026-09-01")
    assert metrics(cli, "2026-07", "followers", "net_new_followers") == [
        {"period": "2026-07", "followers": 6700, "net_new_followers": 700}]
    assert metrics(cli, "2026-08", "followers", "net_new_followers") == [
        {"period": "2026-08", "followers": 6750, "net_new_followers": 50}]
    by_account = metrics(cli, "2026-07", "followers", by="account", filters=("platform=zhihu",))
    assert by_account == [{"period": "2026-07", "account": "ours", "followers": 1300},
                          {"period": "2026-07", "account": "rival", "followers": 5100}]


def test_unknown_metric_and_dimension(cli, tmp_path):
    _load(cli, tmp_path, 'reporting_currency = "CNY"\n[fx]\nUSD = 7\n')
    result = cli("metrics", "--period", "2026-07", "--metric", "sqlz")
    assert result.exit_code == 1 and "unknown metric 'sqlz'" in result.stderr
    result = cli("metrics", "--period", "2026-07", "--by", "colour")
    assert result.exit_code == 1 and "unknown dimension 'colour'" in result.stderr


def test_no_cost_data_is_no_data_not_zero(cli, tmp_path):
    cli("ingest", write(tmp_path / "leads.csv", LEADS), "--export-date", "2026-09-01")
    assert metrics(cli, "2026-07", "sqls", "spend", "cost_per_sql") == [
        {"period": "2026-07", "sqls": 2, "spend": None, "cost_per_sql": None}]


@pytest.mark.parametrize("formats, cells, expected", [
    ("", ['"1,234.50"', "7.5"], 1242.0),                           # default: "," groups, "." decimal
    ('formats: {decimal: ","}\n', ['"1.234,56"', '"7,5"'], 1242.06),  # decimal comma: "." groups
])
def test_number_formats(cli, tmp_path, formats, cells, expected):
    folder = tmp_path / "src"
    folder.mkdir()
    write(folder / "eu.yaml", "name: eu_cost\nfact: channel_daily\nrequired: [date, spend]\n"
          f"columns: {{date: [Tag], spend: [Kosten]}}\nconstants: {{platform: xing, currency: EUR}}\n{formats}")
    rows = "".join(f"2026-07-0{i + 1},{cell}\n" for i, cell in enumerate(cells))
    assert cli("ingest", write(tmp_path / "eu.csv", "Tag,Kosten\n" + rows), "--sources", folder,
               "--export-date", "2026-07-08").exit_code == 0
    assert metrics(cli, "2026-07", "spend")[0]["spend"] == pytest.approx(expected)


def test_a_number_that_does_not_fit_the_format_is_set_aside_not_misread(cli, tmp_path):
    """With "," grouping thousands, "12,5" is neither 125 nor 12.5: it is set aside."""
    text = "date,platform,spend,currency\n2026-07-01,zhihu,\"12,5\",CNY\n2026-07-02,zhihu,\"1,250\",CNY\n"
    cli("ingest", write(tmp_path / "c.csv", text), "--export-date", "2026-07-08")
    assert metrics(cli, "2026-07", "spend")[0]["spend"] == 1250
    assert [r["value"] for r in cli("quarantine", "--format", "json").json()] == ["12,5"]
