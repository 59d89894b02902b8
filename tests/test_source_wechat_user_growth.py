"""微信公众号 用户增长 download (.xlsx with a title row): written by ``write_fixture``, figures by hand.

The workbook (row = as Excel shows it): row 1 the title "用户增长 2026-06-29 至 2026-08-02",
row 2 the header 时间,新关注人数,取消关注人数,净增关注人数,累积关注人数; dates are text cells,
counts are number cells.

  row  时间        新关注  取消关注  净增  累积关注
   3   2026-06-29    12       3        9    1009
   4   2026-06-30    15       5       10    1019
   5   2026-07-01    20       4       16    1035
   6   2026-07-02    18       6       12    1047
   7   2026-07-03    -3       5       -8    1039   -> set aside: negative 新关注人数
   8   2026-07-31    30       8       22    1120
   9   2026-08-01    14       4       10    (empty) -> set aside: no follower count
  10   2026-08-02    16       6       10    1140

So 6 rows load, 2 are set aside. Platform wechat, account official_account.

followers(P) = 累积关注人数 on the last day up to P's end that has data:
  2026-06: 1019 (06-30);  2026-07: 1120 (07-31);  2026-08: 1140 (08-02; 08-01 was set aside)
  2026-Q3: 1140;  2026-W27 (06-29..07-05): 1047 (07-02; 07-03 was set aside)
net_new_followers(P) = followers(P) - followers(previous period):
  2026-07: 1120 - 1019 = 101;  2026-08: 1140 - 1120 = 20;  2026-Q3: 1140 - 1019 (Q2 end) = 121
"""

import xlsxwriter

from conftest import metrics, ingest, quarantined


ROWS = [
    ("2026-06-29", 12, 3, 9, 1009),
    ("2026-06-30", 15, 5, 10, 1019),
    ("2026-07-01", 20, 4, 16, 1035),
    ("2026-07-02", 18, 6, 12, 1047),
    ("2026-07-03", -3, 5, -8, 1039),
    ("2026-07-31", 30, 8, 22, 1120),
    ("2026-08-01", 14, 4, 10, None),
    ("2026-08-02", 16, 6, 10, 1140),
]


def write_fixture(folder):
    path = folder / "用户增长.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("用户增长")
    sheet.write_row(0, 0, ["用户增长 2026-06-29 至 2026-08-02"])
    sheet.write_row(1, 0, ["时间", "新关注人数", "取消关注人数", "净增关注人数", "累积关注人数"])
    for i, row in enumerate(ROWS, start=2):
        sheet.write_string(i, 0, row[0])
        for j, value in enumerate(row[1:], start=1):
            if value is not None:
                sheet.write_number(i, j, value)
    book.close()
    return path


def test_workbook_with_title_row_loads(cli, tmp_path):
    assert "wechat_user_growth: 6 rows loaded, 2 set aside" in ingest(cli, write_fixture(tmp_path), "2026-08-03")

    assert quarantined(cli, "row", "column", "value", "check", "reason") == [
        (7, "新关注人数", "-3", "expect_column_values_to_be_between", "must not be negative"),
        (9, "累积关注人数", None, "expect_column_values_to_not_be_null", "a value is required"),
    ]


def test_followers_and_net_new_followers(cli, tmp_path):
    cli("ingest", write_fixture(tmp_path), "--export-date", "2026-08-03")
    rows = []
    for period in ("2026-06", "2026-07", "2026-08", "2026-Q3"):
        rows += metrics(cli, period, "followers", "net_new_followers")
    assert [r for r in rows if r["period"] != "2026-06"] == [
        {"period": "2026-07", "followers": 1120, "net_new_followers": 101},
        {"period": "2026-08", "followers": 1140, "net_new_followers": 20},
        {"period": "2026-Q3", "followers": 1140, "net_new_followers": 121},
    ]
    assert rows[0]["followers"] == 1019
    (week,) = metrics(cli, "2026-W27", "followers")
    assert week == {"period": "2026-W27", "followers": 1047}
    assert metrics(cli, "2026-07", "followers", by="platform") == [
        {"period": "2026-07", "platform": "wechat", "followers": 1120},
    ]
    assert metrics(cli, "2026-07", "net_new_followers", by="account") == [
        {"period": "2026-07", "account": "official_account", "net_new_followers": 101},
    ]
