"""LinkedIn Campaign Manager campaign performance export: hand-written fixture, figures by hand.

Fixture ``fixtures/sources/linkedin_campaigns.csv``: rows 1-6 are report metadata ("Campaign
Performance Report (in UTC)", "Report Start: ...", "Report End: ...", "Date Generated: ...",
"Account Name: ...", "Account ID: ..."), row 7 the header
Start Date (in UTC),Campaign Name,Campaign ID,Currency,Total Spent,Impressions,Clicks,Leads

  row  Start Date  Campaign                         Currency  Spent   Impr.  Clicks
   8   7/1/2026    OKR Webinar - Sponsored Content  USD       250.00  12000   85
   9   7/1/2026    ABM - Message Ads                USD       120.50   3000   40
  10   7/2/2026    OKR Webinar - Sponsored Content  USD       275.25  13500   92
  11   7/2/2026    ABM - Message Ads                USD        98.75   2800   33
  12   7/32/2026   OKR Webinar ...                                         -> set aside: no such day
  13   7/5/2026    ABM - Message Ads                (blank)                -> set aside: no currency
  14   7/6/2026    OKR Webinar - Sponsored Content  USD       310.00  15000  101

So 5 rows load, 2 are set aside. Platform linkedin_ads, channel paid_social.

2026-07-01..2026-07-07: spend 250.00 + 120.50 + 275.25 + 98.75 + 310.00 = 1054.50
                        impressions 12000 + 3000 + 13500 + 2800 + 15000 = 46300
                        clicks 85 + 40 + 92 + 33 + 101 = 351
2026-W27 (06-29..07-05): rows 8-11: spend 744.50, impressions 31300, clicks 250
By campaign, July: OKR Webinar 250.00 + 275.25 + 310.00 = 835.25; ABM 120.50 + 98.75 = 219.25.

With the Google Ads fixture also loaded (USD, July spend 4677.60, see
test_source_google_ads_campaigns.py), July spend by channel is paid_search 4677.60 and
paid_social 1054.50, by platform google_ads 4677.60 and linkedin_ads 1054.50.
"""

import pytest

from conftest import FIXTURES, metrics, ingest, quarantined

FIXTURE = FIXTURES / "sources" / "linkedin_campaigns.csv"
GOOGLE = FIXTURES / "sources" / "google_ads_campaigns.csv"


def test_metadata_lines_skipped_and_bad_rows_set_aside(cli):
    assert "linkedin_campaigns: 5 rows loaded, 2 set aside" in ingest(cli, FIXTURE, "2026-07-08")

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (12, "Start Date (in UTC)", "7/32/2026", "unexpected_rows_expectation", "expected a date (%m/%d/%Y or %Y-%m-%d)"),
        (13, "Currency", None, "expect_column_values_to_not_be_null", "a value is required"),
    ]


def test_an_unparseable_date_is_reported_once_with_its_real_reason(cli):
    """A required cell that is there but does not parse is one set-aside row, not also 'a value is required'."""
    cli("ingest", FIXTURE, "--export-date", "2026-07-08")
    rows = [r for r in cli("quarantine", "--format", "json").json() if r["row"] == 12]
    assert [(r["column"], r["value"], r["reason"]) for r in rows] == [
        ("Start Date (in UTC)", "7/32/2026", "expected a date (%m/%d/%Y or %Y-%m-%d)"),
    ]


def test_spend_impressions_clicks(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-07-08")
    week = metrics(cli, "2026-W27", "spend", "impressions", "clicks")
    days = metrics(cli, "2026-07-01..2026-07-07", "spend", "impressions", "clicks")
    assert week + days == [
        {"period": "2026-W27", "spend": pytest.approx(744.50, abs=1e-9), "impressions": 31300, "clicks": 250},
        {"period": "2026-07-01..2026-07-07", "spend": pytest.approx(1054.50, abs=1e-9), "impressions": 46300, "clicks": 351},
    ]
    by_campaign = metrics(cli, "2026-07", "spend", by="campaign")
    assert {r["campaign"]: r["spend"] for r in by_campaign} == {
        "OKR Webinar - Sponsored Content": pytest.approx(835.25, abs=1e-9),
        "ABM - Message Ads": pytest.approx(219.25, abs=1e-9),
    }


def test_channel_and_platform_next_to_google_ads(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-07-08")
    cli("ingest", GOOGLE, "--export-date", "2026-07-08")
    by_channel = metrics(cli, "2026-07", "spend", by="channel")
    assert {r["channel"]: r["spend"] for r in by_channel} == {
        "paid_search": pytest.approx(4677.60, abs=1e-9), "paid_social": pytest.approx(1054.50, abs=1e-9),
    }
    by_platform = metrics(cli, "2026-07", "spend", by="platform")
    assert {r["platform"]: r["spend"] for r in by_platform} == {
        "google_ads": pytest.approx(4677.60, abs=1e-9), "linkedin_ads": pytest.approx(1054.50, abs=1e-9),
    }
    (social,) = metrics(cli, "2026-07", "spend", "clicks", filters=("channel=paid_social",))
    assert social == {"period": "2026-07", "spend": pytest.approx(1054.50, abs=1e-9), "clicks": 351}
