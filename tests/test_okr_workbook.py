"""The OKR workbook reads as the OKR YAML would load, with every value's cell; the template reads back."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from pipelines.errors import ConfigError
from pipelines.okr_workbook import read_checkins, read_workbook, write_template

METRICS = ["leads", "mqls", "sqls", "cost_per_sql", "followers"]
KINDS = ["total", "level", "manual"]
LEVELS = ["company", "department", "team", "person"]
STATUSES = ["todo", "doing", "done", "blocked"]
CHANNELS = ["paid_search", "paid_social", "organic_search", "organic_social", "email", "referral", "direct",
            "events", "other"]


def make_book(path: Path, sheets: dict[str, list[list | None]]) -> Path:
    """A workbook with one sheet per entry; row 1 is the first list, None is an empty row."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values or [], start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


OBJECTIVES = [
    ["cycle", "id", "title", "owner", "level", "aligns_to"],
    ["2026-Q3", "O1", "Make marketing the main source of qualified pipeline", "  Marketing ", "department", "C1"],
    ["2026-Q3", "O2", "Spend smarter", "Marketing", "team", None],
]
KEY_RESULTS = [  # columns A..K: objective id title metric kind channel baseline target weight confidence revision_date
    ["objective", "id", "title", "metric", "kind", "channel", "baseline", "target", "weight", "confidence", "revision_date"],
    ["O1", "KR1.1", "SQLs from 300 to 1000", "sqls", "total", "paid_search, paid_social", 300.0, 1000, None, 5,
     date(2026, 7, 1)],
    ["O2", "KR2.1", "Cost per SQL down", "cost_per_sql", "level", None, 850.5, "600", 2, None, "2026/07/03"],
    None,
    ["   ", None, "  "],  # blanks only: an empty row
    ["O1", "KR1.2", "Partner program live", None, "manual", None, 0, 1, 0.5, 6, None],
]
CHECKINS = [
    ["kr", "date", "confidence", "note", "value"],
    ["KR1.1", datetime(2026, 7, 6), 7, "first campaigns live", None],
    ["KR1.2", "2026-07-13", 6.0, None, "0.5"],
]
TASKS = [
    ["kr", "title", "owner", "helpers", "due", "status", "link"],
    ["KR1.1", "Launch the webinar series", "Wang Fang", "Li Na，Zhang Wei; Chen Jie", date(2026, 7, 31), "done",
     "https://wiki.example.com/webinar"],
]

# The same OKRs as a team would write them in the YAML form: the workbook must load to exactly this.
EXPECTED_YAML = """
cycle: 2026-Q3
objectives:
  - id: O1
    title: Make marketing the main source of qualified pipeline
    owner: Marketing
    level: department
    aligns_to: C1
    key_results:
      - {id: KR1.1, title: SQLs from 300 to 1000, metric: sqls, kind: total,
         filters: {channel: [paid_search, paid_social]}, baseline: 300, target: 1000, confidence: 5,
         revision_date: 2026-07-01}
      - {id: KR1.2, title: Partner program live, kind: manual, baseline: 0, target: 1, weight: 0.5, confidence: 6}
  - id: O2
    title: Spend smarter
    owner: Marketing
    level: team
    key_results:
      - {id: KR2.1, title: Cost per SQL down, metric: cost_per_sql, kind: level, baseline: 850.5, target: 600,
         weight: 2, revision_date: 2026-07-03}
checkins:
  - {kr: KR1.1, date: 2026-07-06, confidence: 7, note: first campaigns live}
  - {kr: KR1.2, date: 2026-07-13, confidence: 6, value: 0.5}
tasks:
  - {kr: KR1.1, title: Launch the webinar series, owner: Wang Fang, helpers: [Li Na, Zhang Wei, Chen Jie],
     due: 2026-07-31, status: done, link: "https://wiki.example.com/webinar"}
"""


@pytest.fixture
def english_book(tmp_path: Path) -> Path:
    return make_book(tmp_path / "x.xlsx", {"Objectives": OBJECTIVES, "KeyResults": KEY_RESULTS,
                                           "CheckIns": CHECKINS, "Tasks": TASKS})


def paths(node, at: tuple = ()) -> set[tuple]:
    """Every value's path and every row's path in a document, as ``locations`` should key them."""
    found = set()
    for key, value in node.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                found |= {(*at, key, i)} | paths(item, (*at, key, i))
        elif isinstance(value, dict):
            found |= paths(value, (*at, key))
        else:
            found.add((*at, key))
    return found


def test_english_workbook_loads_as_the_yaml_form(english_book: Path):
    document, _ = read_workbook(english_book)
    assert document == yaml.safe_load(EXPECTED_YAML)
    kr = document["objectives"][0]["key_results"][0]
    assert type(kr["baseline"]) is int and type(kr["revision_date"]) is date


def test_every_value_and_row_has_its_cell(english_book: Path):
    document, locations = read_workbook(english_book)
    assert set(locations) == paths(document)
    sheet = "x.xlsx, sheet {}".format
    assert locations[("cycle",)] == (sheet("Objectives"), 2, "cycle (A)")
    assert locations[("objectives", 1, "key_results", 0, "target")] == (sheet("KeyResults"), 3, "target (H)")
    assert locations[("objectives", 0, "key_results", 1)] == (sheet("KeyResults"), 6, None)
    assert locations[("objectives", 0, "key_results", 0, "filters", "channel")] == (sheet("KeyResults"), 2, "channel (F)")
    assert locations[("checkins", 1, "confidence")] == (sheet("CheckIns"), 3, "confidence (C)")
    assert locations[("tasks", 0, "due")] == (sheet("Tasks"), 2, "due (E)")


def test_chinese_sheets_headings_and_values(tmp_path: Path):
    path = make_book(tmp_path / "okr.xlsx", {
        "说明": [["这一页不会被读取"], ["随便写"]],
        "目标": [["周期", "目标编号", "目标", "负责人", "层级"], ["2026-Q3", "O1", "让市场部成为合格商机的主要来源", "市场部", "部门"]],
        "关键结果": [
            ["所属目标", "关键结果编号", "关键结果", "指标", "类型", "渠道", "平台", "基线", "目标值 (target)", "信心指数（1-10）", "批准人"],
            ["O1", "KR1.1", "SQL 从 300 增至 1000", "sqls", "累计", "paid_search、email", "baidu", 300, 1000, 5, "张总"],
            ["O1", "KR1.2", "合作伙伴计划上线", None, "手动", None, None, 0, 1, None, None],
        ],
        "信心打卡": [["关键结果编号", "日期", "信心指数", "备注", "进度值"], ["KR1.2", "2026年7月6日", 4, "延期", 0.2]],
        "关键任务": [["关键结果编号", "任务", "负责人", "协作人", "截止日期", "状态", "知识库链接"],
                 ["KR1.1", "启动线上研讨会系列", "王芳", "李娜、张伟", "2026/7/31", "进行中", "https://wiki.example.com/w"],
                 ["KR1.2", "签约首批伙伴", "王芳", None, None, "受阻", None]],
    })
    document, locations = read_workbook(path)
    assert document == {
        "cycle": "2026-Q3",
        "objectives": [{
            "id": "O1", "title": "让市场部成为合格商机的主要来源", "owner": "市场部", "level": "department",
            "key_results": [
                {"id": "KR1.1", "title": "SQL 从 300 增至 1000", "metric": "sqls", "kind": "total",
                 "filters": {"channel": ["paid_search", "email"], "platform": ["baidu"]},
                 "baseline": 300, "target": 1000, "confidence": 5, "approved_by": "张总"},
                {"id": "KR1.2", "title": "合作伙伴计划上线", "kind": "manual", "baseline": 0, "target": 1},
            ],
        }],
        "checkins": [{"kr": "KR1.2", "date": date(2026, 7, 6), "confidence": 4, "note": "延期", "value": 0.2}],
        "tasks": [
            {"kr": "KR1.1", "title": "启动线上研讨会系列", "owner": "王芳", "helpers": ["李娜", "张伟"],
             "due": date(2026, 7, 31), "status": "doing", "link": "https://wiki.example.com/w"},
            {"kr": "KR1.2", "title": "签约首批伙伴", "owner": "王芳", "status": "blocked"},
        ],
    }
    assert locations[("objectives", 0, "key_results", 0, "target")] == ("okr.xlsx, sheet 关键结果", 2, "目标值 (I)")
    assert locations[("objectives", 0, "key_results", 0, "confidence")] == ("okr.xlsx, sheet 关键结果", 2, "信心指数 (J)")


def test_unconvertible_cells_stay_as_written_for_the_validator(tmp_path: Path):
    path = make_book(tmp_path / "x.xlsx", {
        "objectives": [["ID", " Title "], ["O1", "Grow"]],  # sheet and headings in any case
        "keyresults": [["objective", "id", "title", "target", "kind", "Approved By"],
                       ["O1", "KR1.1", "More", "lots", "Totally", "Zhang"]],
        "checkins": [["kr", "date", "confidence"], ["KR1.1", "next week", "high"], ["KR1.1", "2026-02-30", 7]],
    })
    document, locations = read_workbook(path)
    assert "cycle" not in document and "tasks" not in document
    assert document["objectives"][0]["key_results"][0] == {"id": "KR1.1", "title": "More", "target": "lots", "kind": "Totally",
                                                              "approved_by": "Zhang"}
    assert document["checkins"] == [{"kr": "KR1.1", "date": "next week", "confidence": "high"},
                                    {"kr": "KR1.1", "date": "2026-02-30", "confidence": 7}]
    assert locations[("checkins", 0, "date")] == ("x.xlsx, sheet checkins", 2, "date (B)")


def test_unknown_heading_names_sheet_cell_and_accepted_headings(tmp_path: Path):
    rows = [row[:] for row in KEY_RESULTS[:2]]
    rows[0][7] = "tagret"
    path = make_book(tmp_path / "x.xlsx", {"Objectives": OBJECTIVES, "KeyResults": rows})
    with pytest.raises(ConfigError) as caught:
        read_workbook(path)
    error = caught.value
    assert (error.file, error.row, error.column, error.value) == ("x.xlsx, sheet KeyResults", 1, "tagret (H)", "tagret")
    assert "H1" in error.message and "target (目标值)" in error.expected and "baseline (基线)" in error.expected


def test_key_result_of_an_unknown_objective(tmp_path: Path):
    rows = KEY_RESULTS[:2] + [["O9", "KR9.1", "Orphan"]]
    path = make_book(tmp_path / "x.xlsx", {"Objectives": OBJECTIVES, "KeyResults": rows})
    with pytest.raises(ConfigError) as caught:
        read_workbook(path)
    error = caught.value
    assert (error.file, error.row, error.column, error.value) == ("x.xlsx, sheet KeyResults", 3, "objective (A)", "O9")
    assert "O1, O2" in error.expected


def test_key_result_without_objective_is_not_given_to_an_objective_without_id(tmp_path: Path):
    objectives = [["id", "title"], [None, "No id yet"]]
    path = make_book(tmp_path / "x.xlsx", {"Objectives": objectives, "KeyResults": [["objective", "id", "title"],
                                                                                    [None, "KR1", "Orphan"]]})
    with pytest.raises(ConfigError) as caught:
        read_workbook(path)
    assert (caught.value.row, caught.value.column, caught.value.value) == (2, "objective (A)", None)
    assert "none yet" in caught.value.expected


@pytest.mark.parametrize(("sheets", "message"), [
    ({"Objectives": OBJECTIVES}, "no KeyResults sheet"),
    ({"Objectives": [["id", "owner"]], "KeyResults": KEY_RESULTS}, "missing heading title (目标)"),
    ({"Objectives": OBJECTIVES, "KeyResults": KEY_RESULTS, "Tasks": [["kr", "owner"], ["KR1.1", "Li"]]},
     "missing heading title (任务)"),
    ({"Objectives": [*OBJECTIVES, ["2026-Q4", "O3", "Later"]], "KeyResults": KEY_RESULTS}, "different cycles"),
    ({"Objectives": OBJECTIVES, "KeyResults": [KEY_RESULTS[0], [*KEY_RESULTS[1], "stray"]]}, "column without heading"),
    ({"Objectives": OBJECTIVES, "KeyResults": KEY_RESULTS, "关键结果": KEY_RESULTS}, "two sheets"),
])
def test_structural_problems_are_config_errors(tmp_path: Path, sheets: dict, message: str):
    with pytest.raises(ConfigError, match=re.escape(message)):
        read_workbook(make_book(tmp_path / "x.xlsx", sheets))


@pytest.mark.parametrize(("name", "content"), [("x.xlsx", b"cycle,id\n2026-Q3,O1\n"), ("x.xls", b"\xd0\xcf\x11\xe0")])
def test_not_a_workbook(tmp_path: Path, name: str, content: bytes):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_workbook(tmp_path / name)
    assert caught.value.file == name and caught.value.expected == "an .xlsx workbook"


def test_empty_optional_sheets_are_absent(tmp_path: Path):
    path = make_book(tmp_path / "x.xlsx", {"Objectives": OBJECTIVES[:2], "KeyResults": KEY_RESULTS[:2],
                                           "CheckIns": [], "Tasks": [TASKS[0]]})
    document, _ = read_workbook(path)
    assert set(document) == {"cycle", "objectives"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_template_reads_back_as_its_example(tmp_path: Path, language: str):
    path = tmp_path / "template.xlsx"
    write_template(path, metrics=METRICS, kinds=KINDS, levels=LEVELS, statuses=STATUSES, channels=CHANNELS * 5,
                   language=language)
    document, locations = read_workbook(path)
    zh = language == "zh"
    assert document == {
        "cycle": "2026-Q3",
        "objectives": [{
            "id": "O1", "level": "department",
            "title": "让市场部成为合格商机的主要来源" if zh else "Make marketing the main source of qualified pipeline",
            "owner": "市场部" if zh else "Marketing",
            "key_results": [{"id": "KR1.1", "title": "本季度 SQL 从 300 增至 1000" if zh else "SQLs this quarter from 300 to 1000",
                             "owner": "王芳" if zh else "Wang Fang", "metric": "sqls", "kind": "total",
                             "baseline": 300, "target": 1000, "weight": 1, "confidence": 5}],
        }],
        "checkins": [{"kr": "KR1.1", "date": date(2026, 7, 6), "confidence": 7,
                      "note": "首批投放已上线" if zh else "first campaigns live"}],
        "tasks": [{"kr": "KR1.1", "title": "启动线上研讨会系列" if zh else "Launch the webinar series",
                   "owner": "王芳" if zh else "Wang Fang", "helpers": ["李娜", "张伟"] if zh else ["Li Na", "Zhang Wei"],
                   "due": date(2026, 7, 31), "status": "done", "link": "https://wiki.example.com/webinar"}],
    }
    sheet = "关键结果" if zh else "KeyResults"
    assert locations[("objectives", 0, "key_results", 0, "target")] == (
        f"template.xlsx, sheet {sheet}", 2, f"{'目标值' if zh else 'target'} (M)")


def test_template_has_drop_downs_and_a_frozen_header(tmp_path: Path):
    path = tmp_path / "template.xlsx"
    write_template(path, metrics=METRICS, kinds=KINDS, levels=LEVELS, statuses=STATUSES, channels=CHANNELS * 5)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Instructions", "Objectives", "KeyResults", "CheckIns", "Tasks", "Scores", "People", "Review", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    key_results = book["KeyResults"]
    assert key_results.freeze_panes == "A2" and key_results["A1"].font.b
    rules = {str(rule.sqref): rule for rule in key_results.data_validations.dataValidation}
    assert rules["E2:E501"].type == "list" and rules["E2:E501"].formula1 == "Lists!$A$2:$A$6"  # metric
    assert rules["G2:G501"].formula1 == "Lists!$E$2:$E$46"  # channel: 45 values, far beyond 255 characters
    assert (rules["O2:O501"].type, rules["O2:O501"].formula1, rules["O2:O501"].formula2) == ("whole", "1", "10")
    assert rules["Q2:Q501"].type == "date"  # revision_date
    assert [cell.value for cell in book["Lists"]["B"] if cell.value] == ["kind", "total", "level", "manual"]


def test_checkins_from_csv(tmp_path: Path):
    bom = tmp_path / "checkins.csv"
    bom.write_bytes("kr,date,confidence,note\nKR1.1,2026-07-06,7,\"first, and live\"\n\nKR1.2,2026/7/13,5,\n".encode("utf-8-sig"))
    checkins, locations = read_checkins(bom)
    assert checkins == [{"kr": "KR1.1", "date": date(2026, 7, 6), "confidence": 7, "note": "first, and live"},
                        {"kr": "KR1.2", "date": date(2026, 7, 13), "confidence": 5}]
    assert locations[("checkins", 1)] == ("checkins.csv", 4, None)
    assert locations[("checkins", 1, "date")] == ("checkins.csv", 4, "date (B)")

    gb = tmp_path / "打卡.csv"
    gb.write_bytes("关键结果编号,日期,信心指数,备注,进度值\nKR2.2,2026/9/14,6,两家签约,2\n".encode("gb18030"))
    checkins, locations = read_checkins(gb)
    assert checkins == [{"kr": "KR2.2", "date": date(2026, 9, 14), "confidence": 6, "note": "两家签约", "value": 2}]
    assert locations[("checkins", 0, "note")] == ("打卡.csv", 2, "备注 (D)")


def test_checkins_from_xlsx(tmp_path: Path):
    named = make_book(tmp_path / "a.xlsx", {"Notes": [["whatever"]], "信心打卡": CHECKINS})
    first = make_book(tmp_path / "b.xlsx", {"Sheet1": CHECKINS})
    expected = yaml.safe_load(EXPECTED_YAML)["checkins"]
    assert read_checkins(named)[0] == expected
    checkins, locations = read_checkins(first)
    assert checkins == expected
    assert locations[("checkins", 0, "note")] == ("b.xlsx, sheet Sheet1", 2, "note (D)")


def test_reading_never_changes_the_file(english_book: Path, tmp_path: Path):
    csv_file = tmp_path / "c.csv"
    csv_file.write_bytes(b"kr,date,confidence\nKR1.1,2026-07-06,7\n")
    before = english_book.read_bytes(), csv_file.read_bytes()
    read_workbook(english_book)
    read_checkins(english_book)
    read_checkins(csv_file)
    assert (english_book.read_bytes(), csv_file.read_bytes()) == before

