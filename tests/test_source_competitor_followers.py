"""Competitor follower counts: benchmark accounts that never count as the team's followers.

``fixtures/sources/competitor_followers.csv`` (日期,平台,竞品,账号,粉丝数):
  row  日期        平台   竞品    账号    粉丝数
   2   2026-07-31  zhihu  竞品甲  甲官方  52000
   3   2026-07-31  zhihu  竞品乙  乙科技  48000
   4   2026-08-31  zhihu  竞品甲  甲官方  53000
   5   2026-08-31  zhihu  竞品乙  乙科技  55500
   6   2026-08-31  zhihu  (blank) 丙公司  60000  -> set aside: no competitor named
   7   2026-08-31  weibo  竞品甲  甲微博  90000
  5 rows load, 1 set aside.
  top_competitor_followers: 2026-07 max(52000, 48000) = 52000; 2026-08 max(53000, 55500, 90000)
  = 90000; 2026-08 on zhihu only: 55500.
  With generic_followers_en.csv (own linkedin accounts) loaded too, followers for 2026-08 stay
  5480 + 8150 = 13630, as in test_source_generic_followers: no competitor count is added.
"""

import json

from conftest import FIXTURES, ingest, metrics, quarantined

COMPETITORS = FIXTURES / "sources" / "competitor_followers.csv"
OWN = FIXTURES / "sources" / "generic_followers_en.csv"


def test_competitors_are_a_benchmark_not_followers(cli):
    assert "competitor_followers: 5 rows loaded, 1 set aside" in ingest(cli, COMPETITORS, "2026-09-01")
    ingest(cli, OWN, "2026-09-01")

    assert quarantined(cli, "file", "row", "column", "reason")[0] == (
        COMPETITORS.name, 6, "竞品", "a benchmark row names its competitor")
    # A declared expectation, not one every source gets: this row's cells are read from the file
    # again after validation, so its raw row must be exactly row 6's.
    assert json.loads(quarantined(cli, "raw_row")[0][0]) == {
        "日期": "2026-08-31", "平台": "zhihu", "竞品": None, "账号": "丙公司", "粉丝数": "60000"}
    july, august = (metrics(cli, p, "top_competitor_followers", "followers")[0] for p in ("2026-07", "2026-08"))
    assert july == {"period": "2026-07", "top_competitor_followers": 52000, "followers": 13450}
    assert august == {"period": "2026-08", "top_competitor_followers": 90000, "followers": 13630}
    (zhihu,) = metrics(cli, "2026-08", "top_competitor_followers", "followers", filters=("platform=zhihu",))
    assert zhihu == {"period": "2026-08", "top_competitor_followers": 55500, "followers": None}
