"""Generic daily follower counts (own accounts), English and Chinese headings, by hand.

``fixtures/sources/generic_followers_en.csv`` (row 1 header date,platform,account,followers,...):
  row  date        platform  account     followers
   2   2026-06-30  linkedin  acme        5000
   3   2026-06-30  linkedin  rival_corp  8000
   4   2026-07-15  linkedin  acme        5200
   5   2026-07-31  linkedin  acme        5350
   6   2026-07-31  linkedin  rival_corp  8100
   7   2026-08-15  linkedin  rival_corp  -20     -> set aside: negative
   8   2026-08-31  LinkedIn  acme        "5,480" (platform lowercased; thousands separator)
   9   2026-08-31  linkedin  rival_corp  8150
  10   2026-08-31  x         acme        "1.2K"  -> set aside: not a whole number
  7 rows load, 2 set aside.
  followers (last day with data up to the period end, summed over accounts):
    2026-06: 5000 + 8000 = 13000;  2026-07: 5350 + 8100 = 13450;  2026-08: 5480 + 8150 = 13630
  net_new_followers: 2026-07: (5350 - 5000) + (8100 - 8000) = 350 + 100 = 450;
    2026-08: (5480 - 5350) + (8150 - 8100) = 130 + 50 = 180
  2026-08 by account: acme 5480 / +130; rival_corp 8150 / +50.
  Only acme (filter account=acme), 2026-Q3: followers 5480; net new 5480 - 5000 (06-30) = 480.

``fixtures/sources/generic_followers_zh.csv`` (日期,平台,账号,粉丝数,新增粉丝,取关人数):
  row  日期        平台    账号      粉丝数
   2   2026-07-01  weibo   官方微博  20000
   3   2026-07-01  douyin  官方抖音  15000
   4   2026-07-31  weibo   官方微博  21500
   5   2026-07-31  douyin  官方抖音  16800
   6   2026-08-31  weibo   官方微博  22000
   7   2026-08-31  douyin  官方抖音  16500   (a fall is allowed)
   8   2026-08-31  douyin  (blank)   17000   -> set aside: no account
   9   2026-09-01  weibo   官方微博  "2万"   -> set aside: not a whole number
  6 rows load, 2 set aside.
  2026-07: followers 21500 + 16800 = 38300
  2026-08: followers 22000 + 16500 = 38500; net new (22000 - 21500) + (16500 - 16800) = 500 - 300 = 200
  2026-08 by platform: weibo 22000 / +500; douyin 16500 / -300.
"""

from conftest import FIXTURES, metrics, ingest, quarantined

EN = FIXTURES / "sources" / "generic_followers_en.csv"
ZH = FIXTURES / "sources" / "generic_followers_zh.csv"


def test_english_headings_two_accounts(cli):
    assert "generic_followers: 7 rows loaded, 2 set aside" in ingest(cli, EN, "2026-09-01")

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (7, "followers", "-20", "expect_column_values_to_be_between", "must not be negative"),
        (10, "followers", "1.2K", "unexpected_rows_expectation", "expected a whole number"),
    ]

    months = []
    for period in ("2026-06", "2026-07", "2026-08"):
        months += metrics(cli, period, "followers", "net_new_followers")
    assert [(r["period"], r["followers"]) for r in months] == [
        ("2026-06", 13000), ("2026-07", 13450), ("2026-08", 13630),
    ]
    assert [r["net_new_followers"] for r in months[1:]] == [450, 180]
    by_account = metrics(cli, "2026-08", "followers", "net_new_followers", by="account")
    assert {r["account"]: (r["followers"], r["net_new_followers"]) for r in by_account} == {
        "acme": (5480, 130), "rival_corp": (8150, 50),
    }
    (acme,) = metrics(cli, "2026-Q3", "followers", "net_new_followers", filters=("account=acme",))
    assert acme == {"period": "2026-Q3", "followers": 5480, "net_new_followers": 480}


def test_chinese_headings(cli):
    assert "generic_followers: 6 rows loaded, 2 set aside" in ingest(cli, ZH, "2026-09-02")

    assert quarantined(cli, "row", "column", "value", "reason") == [
        (8, "账号", None, "a value is required"),
        (9, "粉丝数", "2万", "expected a whole number"),
    ]

    (july,) = metrics(cli, "2026-07", "followers")
    assert july == {"period": "2026-07", "followers": 38300}
    (august,) = metrics(cli, "2026-08", "followers", "net_new_followers")
    assert august == {"period": "2026-08", "followers": 38500, "net_new_followers": 200}
    by_platform = metrics(cli, "2026-08", "followers", "net_new_followers", by="platform")
    assert {r["platform"]: (r["followers"], r["net_new_followers"]) for r in by_platform} == {
        "weibo": (22000, 500), "douyin": (16500, -300),
    }
