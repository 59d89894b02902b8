"""The real public exports in ../shared/datasets (see its SOURCES.md), read where they lie.

Skipped when the folder is absent; nothing from it is ever copied into the repository. Each test
states the behaviour expected of a real file; expected numbers are read from the CSV with the
csv module, independently of okrfunnel.

- Google Ads UI campaign and ad reports (``*Campaign report.csv``, ``*Ad report*.csv``) were
  downloaded without the Day segment: no source can read them, and ingest says so in one line
  naming the file, the header row (3, under the title and date-range lines) and the closest
  source: google_ads_campaigns, missing 'Day'. Exit 1, nothing loaded.
- Google Ads Editor exports (UTF-16 LE with BOM, tab-separated) are decoded: the one-line refusal
  is about the header (settings, no cost columns), not about bytes.
- The LinkedIn Page followers file loads through an analyst's own source file
  (tests/fixtures/user_sources/linkedin_page_followers.yaml, passed with --sources): followers for
  a month equal the file's Cumulative Followers on that month's last day.
- A HubSpot *companies* export header is not a contacts export: a company must not become a lead.
"""

import csv
from datetime import date

import pytest

from conftest import FIXTURES, SHARED_DATASETS, metrics

pytestmark = [
    pytest.mark.shared_datasets,
    pytest.mark.skipif(not SHARED_DATASETS.is_dir(), reason=f"{SHARED_DATASETS} is absent"),
]

GOOGLE_UI = SHARED_DATASETS / "google_ads_ui_exports"
WITHOUT_DAY = [
    "intragoinc__Campaign report.csv",
    "1123alberto__Campaign report.csv",
    "VishalMotling__Campaign report.csv",
    "intragoinc__Ad report- 22nd Jan.csv",
]
EDITOR_UTF16 = [
    "intragoinc__Cal Preserving+Current view+2026-01-16- Campaign.csv",
    "intragoinc__Cal Preserving+Current view+2026-01-16- Adgroup.csv",
]
LINKEDIN_FOLLOWERS = SHARED_DATASETS / "social_followers" / "women_in_ai_usa_linkedin_followers.csv"
USER_SOURCES = FIXTURES / "user_sources"
HUBSPOT_COMPANIES = SHARED_DATASETS / "crm_export_headers" / "hubspot_companies_export_header__Shaftdog-Salesmod_Hubspot.csv"


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("name", WITHOUT_DAY)
def test_google_ads_ui_report_without_day_is_refused_in_one_clear_line(cli, name):
    path = GOOGLE_UI / name
    result = cli("ingest", path, "--export-date", "2026-12-31")
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert f"error: {path}, row 3: no source knows this header" in line
    assert "closest: google_ads_campaigns (missing 'Day')" in line
    assert cli("runs", "--format", "json").json() == []


@pytest.mark.parametrize("name", EDITOR_UTF16)
def test_google_ads_editor_utf16_export_is_decoded(cli, name):
    path = GOOGLE_UI / name
    assert path.read_bytes()[:2] == b"\xff\xfe"  # UTF-16 LE BOM, as SOURCES.md says
    result = cli("ingest", path, "--export-date", "2026-12-31")
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert f"error: {path}, row 1: no source knows this header; closest: " in line
    assert "decode" not in line and "binary" not in line


def test_a_folder_of_google_ads_ui_exports_reports_each_file(cli):
    result = cli("ingest", GOOGLE_UI, "--export-date", "2026-12-31")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(WITHOUT_DAY) + len(EDITOR_UTF16)
    assert sorted(name for name in WITHOUT_DAY + EDITOR_UTF16 if any(name in line for line in lines)) == sorted(
        WITHOUT_DAY + EDITOR_UTF16
    )


def _cumulative_by_day() -> dict[date, int]:
    with LINKEDIN_FOLLOWERS.open(newline="", encoding="utf-8") as fh:
        return {date.fromisoformat(r["Date"]): int(r["Cumulative Followers"]) for r in csv.DictReader(fh)}


def _last_day_value(cumulative: dict[date, int], year: int, month: int) -> int:
    return cumulative[max(d for d in cumulative if (d.year, d.month) == (year, month))]


def test_linkedin_page_followers_through_an_analysts_own_source(cli):
    cumulative = _cumulative_by_day()
    result = cli("ingest", LINKEDIN_FOLLOWERS, "--sources", USER_SOURCES, "--export-date", "2026-02-08")
    assert result.exit_code == 0, result.stderr
    assert f"linkedin_page_followers: {len(cumulative)} rows loaded" in result.stdout
    assert "set aside" not in result.stdout

    for year, month in [(2025, 3), (2025, 6), (2025, 12), (2026, 1), (2026, 2)]:
        (row,) = metrics(cli, f"{year}-{month:02d}", "followers")
        assert row["followers"] == _last_day_value(cumulative, year, month), (year, month)

    (june,) = metrics(cli, "2025-06", "net_new_followers")
    assert june["net_new_followers"] == _last_day_value(cumulative, 2025, 6) - _last_day_value(cumulative, 2025, 5)
    (q4,) = metrics(cli, "2025-Q4", "followers", "net_new_followers")
    assert q4 == {
        "period": "2025-Q4",
        "followers": _last_day_value(cumulative, 2025, 12),
        "net_new_followers": _last_day_value(cumulative, 2025, 12) - _last_day_value(cumulative, 2025, 9),
    }
    assert metrics(cli, "2025-12", "followers", by="platform") == [
        {"period": "2025-12", "platform": "linkedin", "followers": _last_day_value(cumulative, 2025, 12)},
    ]


def test_a_hubspot_companies_export_does_not_load_companies_as_leads(cli, tmp_path):
    header = HUBSPOT_COMPANIES.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Record ID,Company name,Company owner")
    # The saved file is the header only; one invented company row makes it a realistic export.
    path = tmp_path / "hubspot-crm-exports-all-companies.csv"
    path.write_text(header + "\n" + "9001,Acme Appraisals,Jane Doe,acme.example.com,2026-07-02 10:00" + "," * 14 + "\n",
                    encoding="utf-8")
    result = cli("ingest", path, "--export-date", "2026-10-01")
    assert "hubspot_contacts" not in result.stdout
    (q3,) = metrics(cli, "2026-Q3", "leads")
    assert q3 == {"period": "2026-Q3", "leads": 0}
