"""Generic funnel report without lead ids (date, stage, campaign, channel, count), by hand.

``fixtures/sources/generic_stage_report_en.csv`` (row 1 header date,stage,campaign,channel,count):
  row  date        stage  campaign      channel      count
   2   2026-07-01  lead   OKR Webinar   paid_social  12
   3   2026-07-01  mql    OKR Webinar   paid_social   5
   4   2026-07-02  lead   OKR Webinar   paid_social   8
   5   2026-07-02  mql    OKR Webinar   paid_social   4
   6   2026-07-02  sql    OKR Webinar   paid_social   2
   7   2026-07-03  lead   Brand Search  paid_search  20
   8   2026-07-03  mql    Brand Search  paid_search   6
   9   07/04/2026  sql    Brand Search  paid_search   3  -> set aside: not a date in this source's formats
  10   2026-07-05  sql    Brand Search  paid_search   3
  11   2026-07-06  won    Brand Search  paid_search   1
  12   2026-07-06  lead   Brand Search  paid_search  -2  -> set aside: negative count
  9 rows load, 2 set aside. Each row counts `count` entries:
  2026-07: leads 12 + 8 + 20 = 40; mqls 5 + 4 + 6 = 15; sqls 2 + 3 = 5; wins 1.
  2026-W27 (06-29..07-05): the same but wins 0 (07-06 is in W28).
  By channel, July: paid_social leads 20, mqls 9, sqls 2, wins 0;
                    paid_search leads 20, mqls 6, sqls 3, wins 1.

``generic_stage_report_en_reexport.csv`` restates 07-02..07-03 for every stage it holds
(lead, mql, sql each have rows on both days):
   07-02 lead 9, mql 4, sql 2 (OKR Webinar);  07-03 lead 21, mql 7, sql 3 (Brand Search)
  It replaces those stages on those days, nothing is added twice:
  July leads 12 + 9 + 21 = 42; mqls 5 + 4 + 7 = 16; sqls 2 + 3 (07-03) + 3 (07-05) = 8; wins 1.

``generic_stage_report_zh.csv`` (日期,阶段,活动,渠道,数量):
  row  日期        阶段  活动        渠道            数量
   2   2026-08-03  线索  公众号推文  organic_social  30
   3   2026-08-03  MQL   公众号推文  organic_social   9
   4   2026-08-04  线索  百度品牌词  paid_search     25
   5   2026-08-04  MQL   百度品牌词  paid_search      8
   6   2026-08-04  SQL   百度品牌词  paid_search      4
   7   2026-08-05  商机  百度品牌词  paid_search      2
   8   2026-08-06  成交  百度品牌词  paid_search      1
   9   2026-08-06  试用  百度品牌词  paid_search      3  -> set aside: no stage this source knows
  10   2026-08-07  线索  公众号推文  organic_social  "12条" -> set aside: not a whole number
  7 rows load, 2 set aside. 2026-08: leads 30 + 25 = 55; mqls 9 + 8 = 17; sqls 4;
  opportunities 2; wins 1. By channel: organic_social leads 30, mqls 9; paid_search leads 25,
  mqls 8, sqls 4, opportunities 2, wins 1.

Placeholders in the count column (written by the test): 07-01 lead 5, 07-02 lead "-", 07-03
lead "" -> a report's "-" or empty count means no entries (or a row to set aside), never one
entry: July leads = 5.
"""


from conftest import FIXTURES, metrics, ingest, quarantined

EN = FIXTURES / "sources" / "generic_stage_report_en.csv"
REEXPORT = FIXTURES / "sources" / "generic_stage_report_en_reexport.csv"
ZH = FIXTURES / "sources" / "generic_stage_report_zh.csv"
COUNTS = ("leads", "mqls", "sqls", "opportunities", "wins")


def test_counts_add_their_count_column(cli):
    assert "generic_stage_report: 9 rows loaded, 2 set aside" in ingest(cli, EN, "2026-07-08")

    rows = cli("quarantine", "--format", "json").json()
    assert [(r["row"], r["column"], r["value"], r["check"]) for r in rows] == [
        (9, "date", "07/04/2026", "unexpected_rows_expectation"),
        (12, "count", "-2", "expect_column_values_to_be_between"),
    ]
    assert rows[0]["reason"].startswith("expected a date")

    july = metrics(cli, "2026-07", *COUNTS)
    week = metrics(cli, "2026-W27", *COUNTS)
    assert july + week == [
        {"period": "2026-07", "leads": 40, "mqls": 15, "sqls": 5, "opportunities": 0, "wins": 1},
        {"period": "2026-W27", "leads": 40, "mqls": 15, "sqls": 5, "opportunities": 0, "wins": 0},
    ]
    by_channel = metrics(cli, "2026-07", "leads", "mqls", "sqls", "wins", by="channel")
    assert {r["channel"]: (r["leads"], r["mqls"], r["sqls"], r["wins"]) for r in by_channel} == {
        "paid_social": (20, 9, 2, 0), "paid_search": (20, 6, 3, 1),
    }


def test_a_reexport_of_the_same_days_replaces_them(cli):
    assert cli("ingest", EN, "--export-date", "2026-07-08").exit_code == 0
    assert "generic_stage_report: 6 rows loaded" in ingest(cli, REEXPORT, "2026-07-08")
    (july,) = metrics(cli, "2026-07", *COUNTS)
    assert july == {"period": "2026-07", "leads": 42, "mqls": 16, "sqls": 8, "opportunities": 0, "wins": 1}

    again = cli("ingest", REEXPORT, "--export-date", "2026-07-08")
    assert again.exit_code == 0 and "already loaded" in again.stdout
    assert metrics(cli, "2026-07", *COUNTS) == [july]


def test_chinese_headings_and_stage_names(cli):
    assert "generic_stage_report: 7 rows loaded, 2 set aside" in ingest(cli, ZH, "2026-08-08")

    assert quarantined(cli, "row", "column", "value", "reason") == [
        (9, "日期", "2026-08-06", "the row has no stage date at all"),
        (10, "数量", "12条", "expected a whole number"),
    ]

    (august,) = metrics(cli, "2026-08", *COUNTS)
    assert august == {"period": "2026-08", "leads": 55, "mqls": 17, "sqls": 4, "opportunities": 2, "wins": 1}
    by_channel = metrics(cli, "2026-08", *COUNTS, by="channel")
    assert {r["channel"]: tuple(r[m] for m in COUNTS) for r in by_channel} == {
        "organic_social": (30, 9, 0, 0, 0), "paid_search": (25, 8, 4, 2, 1),
    }


def test_a_placeholder_or_empty_count_adds_no_entries(cli, tmp_path):
    path = tmp_path / "mql_report.csv"
    path.write_text("date,stage,campaign,count\n2026-07-01,lead,A,5\n2026-07-02,lead,A,-\n2026-07-03,lead,A,\n",
                    encoding="utf-8")
    assert cli("ingest", path, "--export-date", "2026-07-08").exit_code == 0
    (july,) = metrics(cli, "2026-07", "leads")
    assert july == {"period": "2026-07", "leads": 5}
