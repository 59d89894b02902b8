"""Generic daily ad cost, with English headings and with Chinese headings: figures by hand.

``fixtures/sources/generic_cost_en.csv`` (row 1 header date,platform,account,channel,campaign,
region,spend,impressions,clicks,conversions,currency):
  row  date   platform   channel      spend   impr  clicks  currency
   2   07-01  meta_ads   paid_social  150.00  8000    95    USD
   3   07-01  Bing_Ads   paid_search   60.50  1200    40    USD   (platform ids are lowercased)
   4   07-02  meta_ads   paid_social  165.25  8500   101    USD
   5   07-02  bing_ads   paid_search   58.75  1100    38    USD
   6   07-03  meta_ads   paid_social  140.00  7900    88    usd   (currency codes are uppercased)
   7   07-03  bing_ads   ...                               DOLLARS -> set aside: not ISO 4217
   8   07-04  (blank)    ...                                       -> set aside: no platform
  5 rows load, 2 set aside.
  2026-07-01..07-07: spend 150.00 + 60.50 + 165.25 + 58.75 + 140.00 = 574.50;
      impressions 8000 + 1200 + 8500 + 1100 + 7900 = 26700; clicks 95 + 40 + 101 + 38 + 88 = 362
  by platform: meta_ads 150.00 + 165.25 + 140.00 = 455.25; bing_ads 60.50 + 58.75 = 119.25
  by channel: paid_social 455.25; paid_search 119.25

``fixtures/sources/generic_cost_zh.csv`` (日期,平台,账户,渠道,推广计划,消费,展现,点击,币种; CNY):
  row  日期        平台        账户        消费        展现   点击
   2   2026-07-01  zhihu       知乎机构号  "1,200.00"  30000  450
   3   2026-07-02  zhihu       知乎机构号     980.50   26000  380
   4   2026-07-01  wechat_ads  公众号广告    2000.00   50000  600
   5   2026-07-02  wechat_ads  公众号广告    2100.00   52000  640
   6   2026-07-03  wechat_ads  公众号广告  "￥1800.00" 48000  590   (currency sign stripped)
   7   2026-07-03  zhihu       知乎机构号     -50.00                -> set aside: negative
   8   2026.07.04  zhihu       ...                                 -> set aside: not a date
  5 rows load, 2 set aside.
  2026-07-01..07-07: spend 1200.00 + 980.50 + 2000.00 + 2100.00 + 1800.00 = 8080.50;
      impressions 30000 + 26000 + 50000 + 52000 + 48000 = 206000; clicks 450+380+600+640+590 = 2660
  by platform: zhihu 1200.00 + 980.50 = 2180.50; wechat_ads 2000 + 2100 + 1800 = 5900.00
  by account: 知乎机构号 2180.50; 公众号广告 5900.00
"""

import pytest

from conftest import FIXTURES, metrics, ingest, quarantined

EN = FIXTURES / "sources" / "generic_cost_en.csv"
ZH = FIXTURES / "sources" / "generic_cost_zh.csv"
WEEK = "2026-07-01..2026-07-07"


def _spend_by(cli, dim):
    return {r[dim]: r["spend"] for r in metrics(cli, WEEK, "spend", by=dim)}


def test_english_headings(cli):
    assert "generic_cost: 5 rows loaded, 2 set aside" in ingest(cli, EN, "2026-07-08")

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (7, "currency", "DOLLARS", "expect_column_values_to_be_in_set",
         "expected an ISO 4217 currency code such as USD or CNY"),
        (8, "platform", None, "expect_column_values_to_not_be_null", "a value is required"),
    ]

    (week,) = metrics(cli, WEEK, "spend", "impressions", "clicks")
    assert week == {"period": WEEK, "spend": pytest.approx(574.50, abs=1e-9), "impressions": 26700, "clicks": 362}
    assert _spend_by(cli, "platform") == {
        "meta_ads": pytest.approx(455.25, abs=1e-9), "bing_ads": pytest.approx(119.25, abs=1e-9),
    }
    assert _spend_by(cli, "channel") == {
        "paid_social": pytest.approx(455.25, abs=1e-9), "paid_search": pytest.approx(119.25, abs=1e-9),
    }


def test_chinese_headings(cli):
    assert "generic_cost: 5 rows loaded, 2 set aside" in ingest(cli, ZH, "2026-07-08")

    rows = cli("quarantine", "--format", "json").json()
    assert [(r["row"], r["column"], r["value"], r["check"]) for r in rows] == [
        (7, "消费", "-50.00", "expect_column_values_to_be_between"),
        (8, "日期", "2026.07.04", "unexpected_rows_expectation"),
    ]
    assert rows[0]["reason"] == "must not be negative"
    assert rows[1]["reason"].startswith("expected a date")

    (week,) = metrics(cli, WEEK, "spend", "impressions", "clicks")
    assert week == {"period": WEEK, "spend": pytest.approx(8080.50, abs=1e-9), "impressions": 206000, "clicks": 2660}
    assert _spend_by(cli, "platform") == {
        "zhihu": pytest.approx(2180.50, abs=1e-9), "wechat_ads": pytest.approx(5900.00, abs=1e-9),
    }
    assert _spend_by(cli, "account") == {
        "知乎机构号": pytest.approx(2180.50, abs=1e-9), "公众号广告": pytest.approx(5900.00, abs=1e-9),
    }
    assert _spend_by(cli, "channel") == {"paid_social": pytest.approx(8080.50, abs=1e-9)}


@pytest.mark.parametrize("rows_above", [[None], [None, "Cost report"]], ids=["blank row", "blank row and title"])
def test_a_workbook_with_blank_rows_above_the_header_keeps_spreadsheet_row_numbers(cli, tmp_path, rows_above):
    """A blank first row (and a title under it): the header is still found and read as the
    header, and the negative spend is reported at the row the spreadsheet shows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for cell in rows_above:
        sheet.append([cell])
    sheet.append(["date", "platform", "campaign", "spend", "currency"])
    sheet.append(["2026-07-01", "zhihu", "brand", 10, "CNY"])
    sheet.append(["2026-07-02", "zhihu", "brand", -5, "CNY"])
    path = tmp_path / "cost.xlsx"
    book.save(path)
    assert "generic_cost: 1 rows loaded, 1 set aside" in cli("ingest", path, "--export-date", "2026-07-31").stdout
    assert quarantined(cli, "row", "column", "value") == [(len(rows_above) + 3, "spend", "-5")]


# Row numbers as a spreadsheet shows the file: row 1 a title, row 2 the header; a cell holding a
# line break is one row; a blank line is an empty row (DuckDB skips it without a trace).
BLANK_LINES = [
    "Cost report", "date,platform,campaign,spend,currency",
    "2026-07-01,zhihu,brand,10,CNY",                 # row 3
    "",                                              # row 4
    '2026-07-02,zhihu,"brand\nsecond line",-5,CNY',  # row 5: set aside, negative
    "2026-07-03,zhihu,brand,1,CNY,extra",            # row 6: set aside, a field too many
    "", "",                                          # rows 7, 8
    "2026-07-04,zhihu,brand,-7,CNY",                 # row 9: set aside, negative
    "2026-07-05,zhihu,brand,20,CNY",                 # row 10
]


@pytest.mark.parametrize("final", [True, False], ids=["last line ended", "last line not ended"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("blank", ["among the rows", "one, no cell with a line break", "none", "only at the end"])
def test_rows_below_blank_lines_and_multi_line_cells_keep_spreadsheet_row_numbers(cli, tmp_path, newline, final, blank):
    lines = {"among the rows": BLANK_LINES, "none": [line for line in BLANK_LINES if line],
             "only at the end": [line for line in BLANK_LINES if line] + ["", ""],
             # Its one extra newline and the missing last one add up to what rows alone would give.
             "one, no cell with a line break": [line.replace("\n", " ") for line in BLANK_LINES[:6] + BLANK_LINES[8:]]}[blank]
    path = tmp_path / "cost.csv"
    text = newline.join(lines) + (newline if final else "")
    path.write_bytes(text.replace("brand\n", "brand" + newline).encode())
    result = cli("ingest", path, "--export-date", "2026-07-31")
    assert "generic_cost: 2 rows loaded, 3 set aside" in result.stdout, result.stdout + result.stderr
    expected = {"among the rows": [5, 6, 9], "one, no cell with a line break": [5, 6, 7]}.get(blank, [4, 5, 6])
    assert quarantined(cli, "row", "column") == [(expected[0], "spend"), (expected[1], None), (expected[2], "spend")]


def test_a_cell_longer_than_the_csv_modules_limit_does_not_stop_row_numbering(cli, tmp_path):
    """Python's csv module, which numbers the rows of a file with blank lines, refuses cells over
    128 KB unless told otherwise."""
    path = tmp_path / "cost.csv"
    path.write_text("date,platform,campaign,spend,currency\n"
                    f'2026-07-01,zhihu,"{"x" * 140_000}",10,CNY\n\n2026-07-02,zhihu,brand,-5,CNY\n', encoding="utf-8")
    assert "generic_cost: 1 rows loaded, 1 set aside" in cli("ingest", path, "--export-date", "2026-07-31").stdout
    assert quarantined(cli, "row", "column") == [(4, "spend")]


def test_a_blank_line_after_every_row_keeps_row_numbers(cli, tmp_path):
    """Row numbers worked out once (more than a few blank lines): row 2k holds day k, the
    blank rows between; days 5, 17 and 30 have a negative spend."""
    days = [f"2026-07-{d:02d},zhihu,brand,{-1 if d in (5, 17, 30) else d},CNY\n\n" for d in range(1, 31)]
    path = tmp_path / "cost.csv"
    path.write_text("date,platform,campaign,spend,currency\n" + "".join(days), encoding="utf-8")
    assert "generic_cost: 27 rows loaded, 3 set aside" in cli("ingest", path, "--export-date", "2026-07-31").stdout
    assert quarantined(cli, "row", "value") == [(10, "-1"), (34, "-1"), (60, "-1")]
