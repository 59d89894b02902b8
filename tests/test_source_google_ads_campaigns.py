"""Google Ads campaign report by day, as CSV and as "Excel CSV" (UTF-16, tab-separated), by hand.

Fixture ``fixtures/sources/google_ads_campaigns.csv`` (row = as a spreadsheet shows it):
  row 1 "Campaign report" (title), row 2 "July 1, 2026 - July 7, 2026" (date range), row 3 header
  Day,Campaign,Campaign type,Currency code,Cost,Impr.,Clicks,Conversions

  row  Day    Campaign                  Cost        Impr.     Clicks
   4   07-01  Brand - CN                "1,234.50"  "10,200"  310
   5   07-01  Generic - Marketing OKR     480.25    "5,400"   120
   6   07-02  Brand - CN                "1,100.00"  "9,800"   290
   7   07-02  Generic - Marketing OKR     512.75    "5,900"   131   (Conversions " --")
   8   07-03  Brand - CN                "1,050.10"  "9,500"   281
   9   07-03  Generic - Marketing OKR   "1,0x5.00"              -> set aside: not a number
  10   07-06  PMax - Demo                 300.00    "20,000"   75
  11   07-07  PMax - Demo                 -12.00                -> set aside: negative cost
  12-14 "Total: Campaigns", "Total: Account", "Total: Search" -> summary rows, skipped

So 6 rows load, 2 are set aside. All USD; platform google_ads, channel paid_search.

2026-W27 (06-29..07-05): spend 1234.50 + 480.25 + 1100.00 + 512.75 + 1050.10 = 4377.60
                         impressions 10200 + 5400 + 9800 + 5900 + 9500 = 40800
                         clicks 310 + 120 + 290 + 131 + 281 = 1132
2026-W28 (07-06..07-12): spend 300.00, impressions 20000, clicks 75
2026-07:                 spend 4377.60 + 300.00 = 4677.60, impressions 60800, clicks 1207
By campaign, July: Brand - CN 1234.50 + 1100.00 + 1050.10 = 3384.60;
                   Generic - Marketing OKR 480.25 + 512.75 = 993.00; PMax - Demo 300.00.

The UTF-16 variant (BOM, tabs, CRLF, thousands separators unquoted since tabs delimit) is written
by ``write_fixture`` with the same rows, so it must give the same figures; loading it after the
CSV restates the same days (same platform, account and campaigns), so nothing is counted twice.
"""

import codecs

import pytest

from conftest import FIXTURES, metrics, ingest, quarantined

FIXTURE = FIXTURES / "sources" / "google_ads_campaigns.csv"

TSV_ROWS = [
    ["Campaign report"],
    ['"July 1, 2026 - July 7, 2026"'],
    ["Day", "Campaign", "Campaign type", "Currency code", "Cost", "Impr.", "Clicks", "Conversions"],
    ["2026-07-01", "Brand - CN", "Search", "USD", "1,234.50", "10,200", "310", "12.00"],
    ["2026-07-01", "Generic - Marketing OKR", "Search", "USD", "480.25", "5,400", "120", "3.00"],
    ["2026-07-02", "Brand - CN", "Search", "USD", "1,100.00", "9,800", "290", "10.00"],
    ["2026-07-02", "Generic - Marketing OKR", "Search", "USD", "512.75", "5,900", "131", " --"],
    ["2026-07-03", "Brand - CN", "Search", "USD", "1,050.10", "9,500", "281", "9.00"],
    ["2026-07-03", "Generic - Marketing OKR", "Search", "USD", "1,0x5.00", "5,100", "99", "2.00"],
    ["2026-07-06", "PMax - Demo", "Performance Max", "USD", "300.00", "20,000", "75", "1.00"],
    ["2026-07-07", "PMax - Demo", "Performance Max", "USD", "-12.00", "1,000", "5", "0.00"],
    ["Total: Campaigns", " --", " --", "USD", "4,665.60", "61,900", "1,311", "37.00"],
    ["Total: Account", "", "", "USD", "4,665.60", "61,900", "1,311", "37.00"],
]


def write_fixture(folder):
    """The "Excel CSV" download: UTF-16 little-endian with a BOM, tab-separated, CRLF."""
    path = folder / "google_ads_campaigns_excel.csv"
    text = "\r\n".join("\t".join(row) for row in TSV_ROWS) + "\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


EXPECTED = [
    {"period": "2026-W27", "spend": 4377.60, "impressions": 40800, "clicks": 1132},
    {"period": "2026-W28", "spend": 300.00, "impressions": 20000, "clicks": 75},
    {"period": "2026-07", "spend": 4677.60, "impressions": 60800, "clicks": 1207},
]


def _totals(cli):
    rows = metrics(cli, "2026-W27", "spend", "impressions", "clicks")
    rows += metrics(cli, "2026-W28", "spend", "impressions", "clicks")
    rows += metrics(cli, "2026-07", "spend", "impressions", "clicks")
    return rows


def _assert_expected(rows):
    assert [{**r, "spend": pytest.approx(r["spend"], abs=1e-9)} for r in EXPECTED] == rows


def test_csv_report_skips_title_range_and_total_rows(cli):
    result = cli("ingest", FIXTURE, "--export-date", "2026-07-08")
    assert result.exit_code == 0, result.stderr
    assert "google_ads_campaigns: 6 rows loaded, 2 set aside" in result.stdout
    assert "3 summary row" in result.stdout
    _assert_expected(_totals(cli))

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (9, "Cost", "1,0x5.00", "unexpected_rows_expectation", "expected a number"),
        (11, "Cost", "-12.00", "expect_column_values_to_be_between", "must not be negative"),
    ]


def test_platform_channel_and_campaign(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-07-08")
    assert metrics(cli, "2026-07", "spend", by="platform") == [
        {"period": "2026-07", "platform": "google_ads", "spend": pytest.approx(4677.60, abs=1e-9)},
    ]
    assert metrics(cli, "2026-07", "spend", by="channel") == [
        {"period": "2026-07", "channel": "paid_search", "spend": pytest.approx(4677.60, abs=1e-9)},
    ]
    by_campaign = metrics(cli, "2026-07", "spend", by="campaign")
    assert {r["campaign"]: r["spend"] for r in by_campaign} == {
        "Brand - CN": pytest.approx(3384.60, abs=1e-9),
        "Generic - Marketing OKR": pytest.approx(993.00, abs=1e-9),
        "PMax - Demo": pytest.approx(300.00, abs=1e-9),
    }


def test_utf16_tab_separated_export_gives_the_same_figures(cli, tmp_path):
    path = write_fixture(tmp_path)
    assert "google_ads_campaigns: 6 rows loaded, 2 set aside" in ingest(cli, path, "2026-07-08")
    _assert_expected(_totals(cli))
    assert quarantined(cli, "row", "column", "value") == [(9, "Cost", "1,0x5.00"), (11, "Cost", "-12.00")]


def test_the_second_download_of_the_same_days_replaces_the_first(cli, tmp_path):
    assert cli("ingest", FIXTURE, "--export-date", "2026-07-08").exit_code == 0
    assert cli("ingest", write_fixture(tmp_path), "--export-date", "2026-07-08").exit_code == 0
    _assert_expected(_totals(cli))
