"""Salesforce lead report (Details Only CSV): hand-written fixture, expected facts worked out by hand.

Fixture ``fixtures/sources/salesforce_leads.csv`` (row = as a spreadsheet shows it; row 1 is the
header; Q3 2026 = 2026-07-01..2026-09-30; dates are M/D/YYYY, some with a 12-hour time):

  row  Lead ID  Lead Source       Country        created          MQL     SQL     Converted
   2   ...A01   Web               United States  7/1 9:15 AM      7/2     7/8     7/15
   3   ...A02   Advertisement     China          7/3              7/6     7/20    7/25
   4   ...A03   Trade Show        China          7/10             7/12    8/3     8/25
   5   ...A04   Partner Referral  United States  8/1              8/5
   6   ...A05   Webinar           Germany        8/10
   7   ...A06   Paid Social       Singapore      6/28 (Q2)        7/1     7/9     8/20
   8   ...A07   Web               China          "13/45/2026"   -> set aside: not a date
   9   ...A08   Billboard         China          9/2 4:30 PM      9/3          -> channel other, warned
  10   (none)   Email             China          9/5              9/6          -> set aside: no Lead ID
  11   blank line, 12 "Confidential Information - Do Not Distribute", 13 "Copyright (c) ..."
       -> the report footer: skipped, never set aside.

So 7 rows load, 2 are set aside. Lead Source map: Web -> organic_search, Advertisement ->
paid_search, Trade Show / Webinar -> events, Partner Referral -> referral, Paid Social ->
paid_social, Billboard (not in the map) -> other.

Q3 counts (by stage-entry date):
  leads          A01 A02 A03 A04 A05 A08            = 6   (A06 was created in June)
  mqls           A01 A02 A03 A04 A06 A08            = 6
  sqls           A01 A02 A03 A06                    = 4
  opportunities  A01 A02 A03 A06 (Converted Date)   = 4
  wins                                              = 0   (a lead report has no won date)
  mql_to_sql_rate  Q3 MQL cohort {A01 A02 A03 A04 A06 A08}, with an SQL date {A01 A02 A03 A06} = 4/6
July: leads A01 A02 A03 = 3; mqls A01 A02 A03 A06 = 4; sqls A01 A06 A02 = 3; opportunities A01 A02 = 2.
Q3 mqls by region: United States A01 A04 = 2; China A02 A03 A08 = 3; Singapore A06 = 1;
Germany 0 (A05 was created in Q3 but never became an MQL, so the region appears with 0).
Q3 (leads, mqls) by channel: organic_search (1, 1) A01; paid_search (1, 1) A02; events (2, 1)
A03+A05 / A03; referral (1, 1) A04; paid_social (0, 1) A06; other (1, 1) A08.
"""

from conftest import FIXTURES, metrics

FIXTURE = FIXTURES / "sources" / "salesforce_leads.csv"


def test_loads_with_footer_skipped_and_bad_rows_set_aside(cli):
    result = cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert result.exit_code == 0, result.stderr
    assert "salesforce_leads: 7 rows loaded, 2 set aside" in result.stdout
    assert "footer line" in result.stdout
    assert "'Billboard' (1)" in result.stderr
    (run,) = cli("runs", "--format", "json").json()
    assert (run["rows_read"], run["rows_loaded"], run["rows_set_aside"], run["rows_skipped"]) == (11, 7, 2, 2)

    rows = cli("quarantine", "--format", "json").json()
    assert [(r["row"], r["column"], r["value"], r["check"]) for r in rows] == [
        (8, "Created Date", "13/45/2026", "unexpected_rows_expectation"),
        (10, "Lead ID", None, "expect_column_values_to_not_be_null"),
    ]
    assert rows[1]["reason"] == "a value is required"
    # The footer is not data: nothing from rows 11-13 is set aside.
    assert not any("Confidential" in (r["raw_row"] or "") + (r["value"] or "") for r in rows)


def test_a_footer_on_the_last_line_without_a_newline_is_still_a_footer(cli, tmp_path):
    """The copyright line ends the file without a line break: it is a footer, not a cut-off row."""
    path = tmp_path / "salesforce_no_final_newline.csv"
    path.write_bytes(FIXTURE.read_bytes().rstrip(b"\r\n"))
    result = cli("ingest", path, "--export-date", "2026-10-01")
    assert result.exit_code == 0, result.stderr
    assert "salesforce_leads: 7 rows loaded, 2 set aside" in result.stdout and "2 footer line" in result.stdout


def test_funnel_counts_for_the_quarter_and_july(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    (q3,) = metrics(cli, "2026-Q3", "leads", "mqls", "sqls", "opportunities", "wins", "mql_to_sql_rate")
    assert q3 == {
        "period": "2026-Q3", "leads": 6, "mqls": 6, "sqls": 4, "opportunities": 4, "wins": 0,
        "mql_to_sql_rate": 4 / 6,
    }
    (july,) = metrics(cli, "2026-07", "leads", "mqls", "sqls", "opportunities")
    assert july == {"period": "2026-07", "leads": 3, "mqls": 4, "sqls": 3, "opportunities": 2}


def test_lead_source_and_country_become_channel_and_region(cli):
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    by_channel = metrics(cli, "2026-Q3", "leads", "mqls", by="channel")
    assert {r["channel"]: (r["leads"], r["mqls"]) for r in by_channel} == {
        "organic_search": (1, 1), "paid_search": (1, 1), "events": (2, 1), "referral": (1, 1),
        "paid_social": (0, 1), "other": (1, 1),
    }
    by_region = metrics(cli, "2026-Q3", "mqls", by="region")
    assert {r["region"]: r["mqls"] for r in by_region} == {
        "United States": 2, "China": 3, "Singapore": 1, "Germany": 0,
    }
