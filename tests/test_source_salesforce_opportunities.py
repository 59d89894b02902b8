"""Salesforce opportunity report: won dates added to the leads of ``salesforce_leads``, by hand.

Fixture ``fixtures/sources/salesforce_opportunities.csv`` (row 1 header; M/D/YYYY; the report
footer - blank line, confidentiality notice, copyright - at rows 8-10 is skipped):

  row  Opportunity  Converted Lead ID  Stage               Amount    Created  Close Date
   2   O01          A01                Closed Won          12500.50  7/15     8/14
   3   O02          A02                Closed Lost          5000.00  7/25     8/30  -> not a win
   4   O03          A06                Closed Won          30000.00  8/20     9/25
   5   O04          A03                Negotiation/Review   8000.00  8/25    10/15  -> open; its future
                                                                                    expected close date
                                                                                    is no won date and
                                                                                    no error
   6   O05          A04                Closed Won           -500.00  8/28     9/10  -> set aside: negative
   7   O06          A08                Closed Won           9000.00  9/4      9/31  -> set aside: no such day

So 4 rows load, 2 are set aside. The Created Dates equal the leads' Converted Dates of
``salesforce_leads.csv`` (A01 7/15, A02 7/25, A06 8/20, A03 8/25).

Leads (see test_source_salesforce_leads.py) then opportunities, same lead_namespace "salesforce":
  leads 6, mqls 6 (unchanged); sqls {A01 A02 A03 A06} = 4; opportunities {A01 A02 A06 A03} = 4
  wins: A01 (8/14), A06 (9/25) = 2;  won_revenue = 12500.50 + 30000.00 = 42500.50
  sql_to_won_rate Q3: SQL cohort {A01 7/8, A02 7/20, A06 7/9, A03 8/3}, won {A01 A06} = 2/4 = 0.5
  July: SQL cohort {A01 A02 A06}, won {A01 A06} = 2/3; wins in July 0.
  August: wins 1 (A01), won_revenue 12500.50; SQL cohort {A03}, none won -> 0.0.
  September: wins 1 (A06), won_revenue 30000.
  By channel (first touch = the lead's Lead Source): organic_search (A01) 1 win, 12500.50;
  paid_social (A06) 1 win, 30000.
Loading the opportunities first and the leads afterwards gives the same numbers.

An opportunity created on an account, not converted from a lead, has an empty Converted Lead ID;
the source's description says the Opportunity ID then stands for the lead, so the deal still
counts (written by the test): 006A (lead 00QA) won 7/10 1000 + 006B (no lead) won 7/11 2000
-> July wins 2, won_revenue 3000.
"""


from conftest import FIXTURES, metrics

LEADS = FIXTURES / "sources" / "salesforce_leads.csv"
FIXTURE = FIXTURES / "sources" / "salesforce_opportunities.csv"

Q3_EXPECTED = {
    "period": "2026-Q3", "leads": 6, "mqls": 6, "sqls": 4, "opportunities": 4, "wins": 2,
    "won_revenue": 42500.5, "sql_to_won_rate": 0.5,
}
Q3_METRICS = ("leads", "mqls", "sqls", "opportunities", "wins", "won_revenue", "sql_to_won_rate")


def test_opportunities_add_won_dates_to_loaded_leads(cli):
    assert cli("ingest", LEADS, "--export-date", "2026-10-01").exit_code == 0
    result = cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    assert result.exit_code == 0, result.stderr
    assert "salesforce_opportunities: 4 rows loaded, 2 set aside" in result.stdout
    assert "footer line" in result.stdout

    (q3,) = metrics(cli, "2026-Q3", *Q3_METRICS)
    assert q3 == Q3_EXPECTED
    months = metrics(cli, "2026-07", "wins", "won_revenue", "sql_to_won_rate")
    months += metrics(cli, "2026-08", "wins", "won_revenue", "sql_to_won_rate")
    months += metrics(cli, "2026-09", "wins", "won_revenue")
    assert months == [
        {"period": "2026-07", "wins": 0, "won_revenue": 0, "sql_to_won_rate": 2 / 3},
        {"period": "2026-08", "wins": 1, "won_revenue": 12500.5, "sql_to_won_rate": 0.0},
        {"period": "2026-09", "wins": 1, "won_revenue": 30000},
    ]
    by_channel = metrics(cli, "2026-Q3", "wins", "won_revenue", by="channel")
    assert {r["channel"]: (r["wins"], r["won_revenue"]) for r in by_channel if r["wins"]} == {
        "organic_search": (1, 12500.5), "paid_social": (1, 30000),
    }


def test_close_date_is_a_won_date_only_when_closed_won_and_bad_rows_are_named(cli):
    cli("ingest", LEADS, "--export-date", "2026-10-01")
    cli("ingest", FIXTURE, "--export-date", "2026-10-01")
    rows = [r for r in cli("quarantine", "--format", "json").json() if r["file"] == FIXTURE.name]
    assert [(r["row"], r["column"], r["value"], r["check"], r["reason"]) for r in rows] == [
        (6, "Amount", "-500.00", "expect_column_values_to_be_between", "must not be negative"),
        (7, "Close Date", "9/31/2026", "unexpected_rows_expectation", rows[1]["reason"]),
    ]
    assert rows[1]["reason"].startswith("expected a date")


def test_order_of_the_two_reports_does_not_matter(cli):
    assert cli("ingest", FIXTURE, "--export-date", "2026-10-01").exit_code == 0
    assert cli("ingest", LEADS, "--export-date", "2026-10-01").exit_code == 0
    (q3,) = metrics(cli, "2026-Q3", *Q3_METRICS)
    assert q3 == Q3_EXPECTED


def test_a_won_opportunity_without_a_converted_lead_still_counts(cli, tmp_path):
    path = tmp_path / "opportunities.csv"
    path.write_text(
        '"Opportunity ID","Converted Lead ID","Stage","Amount","Created Date","Close Date"\n'
        '"006A","00QA","Closed Won","1000","7/1/2026","7/10/2026"\n'
        '"006B","","Closed Won","2000","7/2/2026","7/11/2026"\n',
        encoding="utf-8",
    )
    result = cli("ingest", path, "--export-date", "2026-10-01")
    assert result.exit_code == 0, result.stderr
    (july,) = metrics(cli, "2026-07", "wins", "won_revenue")
    assert july == {"period": "2026-07", "wins": 2, "won_revenue": 3000}
