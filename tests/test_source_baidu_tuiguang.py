"""百度推广 推广计划报告 (分日), saved by the console in GBK: fixture written by ``write_fixture``.

The fixture (row = as a spreadsheet shows it; row 1 the header 日期,账户,推广计划,展现,点击,消费):

  row  日期        推广计划       展现   点击   消费
   2   2026-07-01  品牌词         1200    85     356.40
   3   2026-07-01  OKR管理软件    3400   120   "1,024.80"
   4   2026-07-02  品牌词         1100    80     330.00
   5   2026-07-02  OKR管理软件    3600   131    1100.20
   6   2026-07-03  品牌词          980    -5     300.00   -> set aside: negative clicks
   7   2026-07-03  OKR管理软件    3500   128     980.50
   8   2026-07-04  品牌词         1000    70    "300.00元" -> set aside: not a number
   9   合计 ...                                          -> summary row, skipped
All rows are account 华东账户. So 5 rows load, 2 are set aside. CNY; platform baidu,
channel paid_search.

2026-07-01..2026-07-07: spend 356.40 + 1024.80 + 330.00 + 1100.20 + 980.50 = 3791.90
                        impressions 1200 + 3400 + 1100 + 3600 + 3500 = 12800
                        clicks 85 + 120 + 80 + 131 + 128 = 544
By campaign: 品牌词 356.40 + 330.00 = 686.40; OKR管理软件 1024.80 + 1100.20 + 980.50 = 3105.50.

With the Google Ads fixture (USD, July 4677.60) and okrfunnel.toml setting reporting_currency
CNY and USD = 7.1: July spend = 3791.90 + 4677.60 x 7.1 = 3791.90 + 33210.96 = 37002.86; by
channel everything is paid_search.
"""

import pytest

from conftest import FIXTURES, metrics, quarantined

GOOGLE = FIXTURES / "sources" / "google_ads_campaigns.csv"

ROWS = """日期,账户,推广计划,展现,点击,消费
2026-07-01,华东账户,品牌词,1200,85,356.40
2026-07-01,华东账户,OKR管理软件,3400,120,"1,024.80"
2026-07-02,华东账户,品牌词,1100,80,330.00
2026-07-02,华东账户,OKR管理软件,3600,131,1100.20
2026-07-03,华东账户,品牌词,980,-5,300.00
2026-07-03,华东账户,OKR管理软件,3500,128,980.50
2026-07-04,华东账户,品牌词,1000,70,300.00元
合计,-,-,15780,619,"4,391.90"
"""


def write_fixture(folder):
    path = folder / "baidu_tuiguang.csv"
    path.write_bytes(ROWS.replace("\n", "\r\n").encode("gbk"))
    return path


def test_gbk_report_loads_without_the_total_row(cli, tmp_path):
    path = write_fixture(tmp_path)
    result = cli("ingest", path, "--export-date", "2026-07-08")
    assert result.exit_code == 0, result.stderr
    assert "baidu_tuiguang: 5 rows loaded, 2 set aside" in result.stdout
    assert "1 summary row" in result.stdout

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (6, "点击", "-5", "expect_column_values_to_be_between", "must not be negative"),
        (8, "消费", "300.00元", "unexpected_rows_expectation", "expected a number"),
    ]

    (week,) = metrics(cli, "2026-07-01..2026-07-07", "spend", "impressions", "clicks")
    assert week == {"period": "2026-07-01..2026-07-07", "spend": pytest.approx(3791.90, abs=1e-9),
                    "impressions": 12800, "clicks": 544}
    by_campaign = metrics(cli, "2026-07", "spend", by="campaign")
    assert {r["campaign"]: r["spend"] for r in by_campaign} == {
        "品牌词": pytest.approx(686.40, abs=1e-9), "OKR管理软件": pytest.approx(3105.50, abs=1e-9),
    }
    assert metrics(cli, "2026-07", "spend", by="platform") == [
        {"period": "2026-07", "platform": "baidu", "spend": pytest.approx(3791.90, abs=1e-9)},
    ]
    assert metrics(cli, "2026-07", "clicks", by="channel") == [
        {"period": "2026-07", "channel": "paid_search", "clicks": 544},
    ]
    assert metrics(cli, "2026-07", "clicks", by="account") == [
        {"period": "2026-07", "account": "华东账户", "clicks": 544},
    ]


def test_cny_next_to_usd_with_a_reporting_currency(cli, tmp_path):
    (tmp_path / "okrfunnel.toml").write_text('reporting_currency = "CNY"\n[fx]\nUSD = 7.1\n', encoding="utf-8")
    cli("ingest", write_fixture(tmp_path), "--export-date", "2026-07-08")
    cli("ingest", GOOGLE, "--export-date", "2026-07-08")
    (july,) = metrics(cli, "2026-07", "spend")
    assert july == {"period": "2026-07", "spend": pytest.approx(37002.86, abs=1e-6)}
    assert metrics(cli, "2026-07", "spend", by="channel") == [
        {"period": "2026-07", "channel": "paid_search", "spend": pytest.approx(37002.86, abs=1e-6)},
    ]


def test_row_numbers_count_the_title_lines_above_a_line_that_does_not_fit(cli, tmp_path):
    """Baidu exports open with title lines. Row 5 has an unquoted comma in its plan (7 fields for
    6 headings) and row 6 a negative spend: the quarantine names rows 5 and 6, as a spreadsheet
    shows them (DuckDB numbers rejected lines from the top of the file, titles included)."""
    path = tmp_path / "baidu_titled.csv"
    path.write_bytes((
        "推广计划报告\n时间范围: 2026-07-01 至 2026-07-03\n日期,账户,推广计划,展现,点击,消费\n"
        "2026-07-01,云帆SEM,品牌词,574,48,142.89\n2026-07-01,云帆SEM,营销,自动化,1299,26,236.31\n"
        "2026-07-02,云帆SEM,品牌词,671,46,-127.49\n2026-07-03,云帆SEM,品牌词,311,29,75.58\n"
    ).encode("gb18030"))
    assert "2 rows loaded, 2 set aside" in cli("ingest", path, "--export-date", "2026-07-31").stdout
    assert quarantined(cli, "row", "column", "value") == [
        (5, None, "2026-07-01,云帆SEM,营销,自动化,1299,26,236.31"), (6, "消费", "-127.49")]


def test_a_blank_line_in_a_gbk_export_takes_its_spreadsheet_row(cli, tmp_path):
    """The blank lines are counted in the UTF-8 copy a GBK export is read from: the negative
    spend below two of them is at row 7 (rows 4 and 5 blank), as a spreadsheet shows it."""
    path = tmp_path / "baidu_blank.csv"
    path.write_bytes((
        "推广计划报告\n日期,账户,推广计划,展现,点击,消费\n2026-07-01,云帆SEM,品牌词,574,48,142.89\n\n\n"
        "2026-07-01,云帆SEM,营销,1299,26,236.31\n2026-07-02,云帆SEM,品牌词,671,46,-127.49\n"
    ).encode("gb18030"))
    assert "2 rows loaded, 1 set aside" in cli("ingest", path, "--export-date", "2026-07-31").stdout
    assert quarantined(cli, "row", "column", "value") == [(7, "消费", "-127.49")]
