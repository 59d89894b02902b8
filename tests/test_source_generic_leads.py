"""Generic lead list, with English headings and with Chinese headings: figures by hand.

``fixtures/sources/generic_leads_en.csv`` (row 1 header; Q3 2026 = 07-01..09-30):
  row  lead   created     MQL    SQL    opp    won             amount    cur   channel         region
   2   G-001  07-01 09:00 07-02  07-06  07-10  08-01            5000     USD   paid_search     APAC
   3   G-002  07-03       07-05  07-20                                         paid_social     EMEA
   4   G-003  07-08       08-02                                                organic_search  APAC
   5   G-004  2026/08/15                                                       email           EMEA
   6   G-005  06-20 (Q2)  07-01  07-02  07-15  09-10           12000.50  USD   events          APAC
   7   G-006  ...                              "2026-13-01"  -> set aside: not a date
   8   G-007  ...                                                       "US$" -> set aside: not ISO 4217
  5 rows load, 2 set aside.
  Q3: leads G-001 G-002 G-003 G-004 = 4; mqls G-001 G-002 G-003 G-005 = 4;
      sqls G-001 G-002 G-005 = 3; opportunities G-001 G-005 = 2; wins G-001 G-005 = 2;
      won_revenue 5000 + 12000.50 = 17000.50 (USD);
      mql_to_sql_rate: MQL cohort {G-001 G-002 G-003 G-005}, with SQL {G-001 G-002 G-005} = 3/4;
      sql_to_won_rate: SQL cohort {G-001 G-002 G-005}, won {G-001 G-005} = 2/3.
  Q3 mqls by region: APAC G-001 G-003 G-005 = 3; EMEA G-002 = 1 (G-004 EMEA, no MQL).
  Q3 (leads, mqls) by channel: paid_search (1,1), paid_social (1,1), organic_search (1,1),
      email (1,0), events (0,1).

``fixtures/sources/generic_leads_zh.csv`` (线索ID,创建时间,MQL时间,SQL时间,商机时间,成交时间,成交金额,币种,...):
  row  线索ID  创建       MQL    SQL          商机   成交   成交金额   币种  区域  活动
   2   CN-001  07-02      07-04  07-09 15:30  07-20  08-18  88000      CNY   华东  百度品牌词
   3   CN-002  07-05      07-06  07-08                                       华北  公众号推文
   4   CN-003  2026/07/15 07/16  07/30        08/10                          华东  上海峰会
   5   CN-004  08-03                                                         华南
   6   CN-005  08-08      08-09  08-20        08-25  09-05  "120,000"  CNY   华东  百度品牌词
   7   CN-006  ...                                          -100             -> set aside: negative
   8   (none)  ...                                                           -> set aside: no 线索ID
  5 rows load, 2 set aside.
  Q3: leads 5; mqls CN-001 002 003 005 = 4; sqls CN-001 002 003 005 = 4; opportunities
      CN-001 003 005 = 3; wins CN-001 005 = 2; won_revenue 88000 + 120000 = 208000 (CNY);
      mql_to_sql_rate 4/4 = 1.0; sql_to_won_rate: SQL cohort {001 002 003 005}, won {001 005} = 2/4.
  July: leads CN-001 002 003 = 3; mqls 3; sqls CN-001 (07-09) 002 (07-08) 003 (07-30) = 3.
  Q3 leads by region: 华东 CN-001 003 005 = 3; 华北 CN-002 = 1; 华南 CN-004 = 1.
  Q3 mqls by campaign: 百度品牌词 CN-001 005 = 2; 公众号推文 CN-002 = 1; 上海峰会 CN-003 = 1;
      CN-004 has no campaign (null) and no MQL.

Both files, okrfunnel.toml with reporting_currency CNY and USD = 7: Q3 wins 2 + 2 = 4, leads
4 + 5 = 9, won_revenue 208000 + (5000 + 12000.50) x 7 = 208000 + 119003.50 = 327003.50.
"""

import pytest

from conftest import FIXTURES, metrics, ingest, quarantined

EN = FIXTURES / "sources" / "generic_leads_en.csv"
ZH = FIXTURES / "sources" / "generic_leads_zh.csv"
FUNNEL = ("leads", "mqls", "sqls", "opportunities", "wins", "won_revenue", "mql_to_sql_rate", "sql_to_won_rate")


def test_english_headings(cli):
    assert "generic_leads: 5 rows loaded, 2 set aside" in ingest(cli, EN, "2026-10-01")

    rows = cli("quarantine", "--format", "json").json()
    assert [(r["row"], r["column"], r["value"], r["check"]) for r in rows] == [
        (7, "won_at", "2026-13-01", "unexpected_rows_expectation"),
        (8, "currency", "US$", "expect_column_values_to_be_in_set"),
    ]
    assert rows[1]["reason"] == "expected an ISO 4217 currency code such as USD or CNY"

    (q3,) = metrics(cli, "2026-Q3", *FUNNEL)
    assert q3 == {
        "period": "2026-Q3", "leads": 4, "mqls": 4, "sqls": 3, "opportunities": 2, "wins": 2,
        "won_revenue": 17000.5, "mql_to_sql_rate": 0.75, "sql_to_won_rate": 2 / 3,
    }
    by_region = metrics(cli, "2026-Q3", "mqls", by="region")
    assert {r["region"]: r["mqls"] for r in by_region} == {"APAC": 3, "EMEA": 1}
    by_channel = metrics(cli, "2026-Q3", "leads", "mqls", by="channel")
    assert {r["channel"]: (r["leads"], r["mqls"]) for r in by_channel} == {
        "paid_search": (1, 1), "paid_social": (1, 1), "organic_search": (1, 1), "email": (1, 0), "events": (0, 1),
    }


def test_chinese_headings(cli):
    assert "generic_leads: 5 rows loaded, 2 set aside" in ingest(cli, ZH, "2026-10-01")

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (7, "成交金额", "-100", "expect_column_values_to_be_between", "must not be negative"),
        (8, "线索ID", None, "expect_column_values_to_not_be_null", "a value is required"),
    ]

    (q3,) = metrics(cli, "2026-Q3", *FUNNEL)
    assert q3 == {
        "period": "2026-Q3", "leads": 5, "mqls": 4, "sqls": 4, "opportunities": 3, "wins": 2,
        "won_revenue": 208000, "mql_to_sql_rate": 1.0, "sql_to_won_rate": 0.5,
    }
    (july,) = metrics(cli, "2026-07", "leads", "mqls", "sqls")
    assert july == {"period": "2026-07", "leads": 3, "mqls": 3, "sqls": 3}
    by_region = metrics(cli, "2026-Q3", "leads", by="region")
    assert {r["region"]: r["leads"] for r in by_region} == {"华东": 3, "华北": 1, "华南": 1}
    by_campaign = metrics(cli, "2026-Q3", "mqls", by="campaign")
    assert {r["campaign"]: r["mqls"] for r in by_campaign} == {
        "百度品牌词": 2, "公众号推文": 1, "上海峰会": 1, None: 0,
    }


def test_both_files_in_one_reporting_currency(cli, tmp_path):
    (tmp_path / "okrfunnel.toml").write_text('reporting_currency = "CNY"\n[fx]\nUSD = 7\n', encoding="utf-8")
    cli("ingest", EN, ZH, "--export-date", "2026-10-01")
    (q3,) = metrics(cli, "2026-Q3", "leads", "wins", "won_revenue")
    assert q3 == {"period": "2026-Q3", "leads": 9, "wins": 4, "won_revenue": pytest.approx(327003.5, abs=1e-9)}
