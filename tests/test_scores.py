"""Quarter-end scores on fixtures/okrs (see test_kr_evaluation.py), worked out by hand.

2026-Q3 closed, so evaluated on its last day (09-30):
  KR1.1 12 of 40 SQLs: 0.3 -> suggested 3.   KR1.2 followers 1500 (1000 -> 2000): 0.5 -> 5.
  KR1.3 cost per SQL 9401 / 13 = 723.15 (500 -> 300): -1.12, below every band -> 0.
  KR2.1 0 events SQLs: 0 -> 0.   KR2.2 manual 9 of 12: 0.75 -> 7.
Scores: KR1.1 self 5, committee 4 (final 4, weight 2); KR1.2 self 6 (final 6); KR2.2 self 8,
committee 7 (final 7); KR1.3 and KR2.1 unscored.
  O1: (4 x 2 + 6) / 3 = 4.67.  O2: 7.  Owners: 王芳 4, 李娜 6 (KR1.3 unscored), 赵强 7.
  Department: (4 x 2 + 6 + 7) / 4 = 5.25.
  Performance = OKR x 0.75 + values x 0.15 + review x 0.10: 王芳 3 + 1.35 + 0.8 = 5.15;
  李娜 4.5 + 1.05 + 0.6 = 6.15; 赵强 has no values score: none.
"""

from __future__ import annotations

import getpass

import pytest
from conftest import query

ME = getpass.getuser()  # a score or note without "by" is recorded as given by who loaded it

SCORES = """cycle: 2026-Q3
scores:
  - {kr: KR1.1, self: 5, committee: 4, note: 付费搜索未达预期, by: 评分委员会}
  - {kr: KR1.2, self: 6}
  - {kr: KR2.2, self: 8, committee: 7}
people:
  - {name: 王芳, values: 9, review: 8}
  - {name: 李娜, values: 7, review: 6}
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_scores_roll_up_by_hand(loaded, tmp_path):
    result = loaded("okrs", "scores", write(tmp_path, "scores.yaml", SCORES))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("2026-Q3: 9 scores recorded")
    assert loaded("okrs", "close", "2026-Q3").exit_code == 0
    rows = loaded("scores", "--cycle", "2026-Q3", "--format", "json").json()
    krs = {r["kr_id"]: r for r in rows if r["level"] == "kr"}
    assert {k: (r["attainment"], r["suggested"], r["self"], r["committee"], r["final"]) for k, r in krs.items()} == {
        "KR1.1": (0.3, 3, 5, 4, 4), "KR1.2": (0.5, 5, 6, None, 6), "KR1.3": (-1.1158, 0, None, None, None),
        "KR2.1": (0, 0, None, None, None), "KR2.2": (0.75, 7, 8, 7, 7),
    }
    assert krs["KR1.1"]["note"] == "付费搜索未达预期"
    assert {r["objective_id"]: r["score"] for r in rows if r["level"] == "objective"} == {"O1": 4.67, "O2": 7}
    assert {r["owner"]: r["score"] for r in rows if r["level"] == "owner"} == {"王芳": 4, "李娜": 6, "赵强": 7}
    assert [r["score"] for r in rows if r["level"] == "department"] == [5.25]
    assert {r["person"]: (r["score"], r["values"], r["review"], r["performance"]) for r in rows if r["level"] == "person"} == {
        "王芳": (4, 9, 8, 5.15), "李娜": (6, 7, 6, 6.15), "赵强": (7, None, None, None),
    }


def test_a_closed_cycle_changes_only_with_a_reason_and_keeps_history(loaded, tmp_path, db):
    assert loaded("okrs", "scores", write(tmp_path, "scores.yaml", SCORES)).exit_code == 0
    assert loaded("okrs", "close", "2026-Q3").exit_code == 0
    same = loaded("okrs", "scores", write(tmp_path, "same.yaml", SCORES))
    assert same.exit_code == 0 and same.stdout.strip().endswith("0 scores recorded")
    change = "cycle: 2026-Q3\nscores:\n  - {kr: KR1.1, committee: 5, by: 评分委员会}\n"
    refused = loaded("okrs", "scores", write(tmp_path, "change.yaml", change))
    assert refused.exit_code == 1
    assert refused.stderr == ("error: change.yaml, line 3, column 'reason': KR1.1 committee score 4 -> 5: "
                              "2026-Q3 is closed; expected a reason for the change\n")
    reasoned = write(tmp_path, "reasoned.yaml", change.replace("by: 评分委员会}", "by: 评分委员会, reason: 复核后上调}"))
    assert loaded("okrs", "scores", reasoned).exit_code == 0
    assert query(db, "SELECT score, reason FROM score_entry WHERE subject = 'KR1.1' AND kind = 'committee' ORDER BY scored_at") == [
        (4.0, None), (5.0, "复核后上调")]
    rows = loaded("scores", "--cycle", "2026-Q3", "--format", "json").json()
    assert [r["final"] for r in rows if r["kr_id"] == "KR1.1"] == [5]


def test_score_mistakes_are_named_with_their_line(loaded, tmp_path):
    bad = "cycle: 2026-Q3\nscores:\n  - {kr: KR9, self: 5}\n  - {kr: KR1.1, self: 11}\n  - {kr: KR1.2}\npeople:\n  - {name: 王芳, values: ten}\n"
    result = loaded("okrs", "scores", write(tmp_path, "bad.yaml", bad))
    assert result.exit_code == 1
    assert [line.split(";")[0] for line in result.stderr.splitlines()] == [
        "error: bad.yaml, line 3, column 'kr': score for an unknown key result (got 'KR9')",
        "error: bad.yaml, line 4, column 'self': score outside 0-10 (got '11')",
        "error: bad.yaml, line 5: no score given",
        "error: bad.yaml, line 7, column 'values': score is not a number (got 'ten')",
    ]
    other = loaded("okrs", "scores", write(tmp_path, "other.yaml", "cycle: 2025-Q1\nscores: []\n"))
    assert other.exit_code == 1 and "no OKRs loaded for this cycle (got '2025-Q1')" in other.stderr


def test_an_okr_weight_outside_the_method_warns(loaded, tmp_path):
    (tmp_path / "okrfunnel.toml").write_text("[evaluation]\nokr_weight = 0.6\nvalues_weight = 0.3\nreview_weight = 0.1\n", encoding="utf-8")
    result = loaded("scores", "--cycle", "2026-Q3", "--format", "json")
    assert result.exit_code == 0
    assert "warning: okr_weight 0.6 is outside 0.7-0.8" in result.stderr


def test_bad_evaluation_weights_are_one_line_not_a_traceback(loaded, tmp_path):
    (tmp_path / "okrfunnel.toml").write_text("[evaluation]\nvalues_weight = 0.2\n", encoding="utf-8")
    result = loaded("scores", "--cycle", "2026-Q3")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: okrfunnel.toml, column 'evaluation.*_weight': bad evaluation weights")


def test_lessons_and_next_steps_are_kept_per_cycle_and_replaced_by_section(loaded, tmp_path, db):
    notes = SCORES + "lessons:\n  - 研讨会转化率最高\n  - {text: 百度关键词需要重做, by: 王芳}\nnext_steps:\n  - 研讨会频率翻倍\n"
    assert loaded("okrs", "scores", write(tmp_path, "scores.yaml", notes)).exit_code == 0
    assert query(db, "SELECT section, position, text, written_by FROM review_note ORDER BY section, position") == [
        ("lessons", 0, "研讨会转化率最高", None), ("lessons", 1, "百度关键词需要重做", "王芳"), ("next_steps", 0, "研讨会频率翻倍", None)]
    again = loaded("okrs", "scores", write(tmp_path, "lessons.yaml", "cycle: 2026-Q3\nlessons: [只保留这一条]\n"))
    assert again.exit_code == 0 and again.stdout.strip().endswith("0 scores recorded")
    assert query(db, "SELECT section, text FROM review_note ORDER BY section, position") == [
        ("lessons", "只保留这一条"), ("next_steps", "研讨会频率翻倍")]
    empty = loaded("okrs", "scores", write(tmp_path, "empty.yaml", "cycle: 2026-Q3\nlessons: 一条\n"))
    assert empty.exit_code == 1 and "lessons must be a list" in empty.stderr


def test_scores_come_from_the_workbook_in_chinese(loaded, tmp_path, db):
    from test_okr_workbook import make_book

    book = make_book(tmp_path / "季度评分.xlsx", {
        "目标": [["周期", "目标编号", "目标"], ["2026-Q3", "O1", "让市场部成为合格商机的主要来源"]],
        "评分": [["关键结果编号", "自评分", "委员会评分", "评语", "评分人"], ["KR1.1", 5, 4, "付费搜索未达预期", "评分委员会"],
                 ["KR2.2", "8", None, None, None]],
        "绩效": [["姓名", "价值观评分", "360评分"], ["王芳", 9, 8]],
        "复盘": [["类别", "内容", "提出人"], ["经验教训", "研讨会转化率最高", "王芳"], ["下一步", "研讨会频率翻倍", None]],
    })
    before = book.read_bytes()
    result = loaded("okrs", "scores", book)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("2026-Q3: 5 scores recorded")
    assert book.read_bytes() == before
    assert query(db, "SELECT subject, kind, score, note, scored_by FROM score_entry ORDER BY subject, kind") == [
        ("KR1.1", "committee", 4.0, "付费搜索未达预期", "评分委员会"), ("KR1.1", "self", 5.0, "付费搜索未达预期", "评分委员会"),
        ("KR2.2", "self", 8.0, None, ME), ("王芳", "review", 8.0, None, ME), ("王芳", "values", 9.0, None, ME)]
    assert query(db, "SELECT section, text, written_by FROM review_note ORDER BY section") == [
        ("lessons", "研讨会转化率最高", "王芳"), ("next_steps", "研讨会频率翻倍", None)]

    bad = make_book(tmp_path / "bad.xlsx", {
        "Objectives": [["cycle", "id", "title"], ["2026-Q3", "O1", "x"]],
        "Scores": [["kr", "self"], ["KR1.1", 12], ["KR9", 3]],
    })
    refused = loaded("okrs", "scores", bad)
    assert refused.exit_code == 1
    assert [line.split(";")[0] for line in refused.stderr.splitlines()] == [
        "error: bad.xlsx, sheet Scores, row 2, column 'self (B)': score outside 0-10 (got '12')",
        "error: bad.xlsx, sheet Scores, row 3, column 'kr (A)': score for an unknown key result (got 'KR9')",
    ]


def test_the_template_scores_sheets_read_back(cli, tmp_path):
    template = tmp_path / "okrs.xlsx"
    assert cli("okrs", "template", "--out", template, "--language", "zh", with_db=False).exit_code == 0
    assert cli("okrs", "load", template).exit_code == 0
    result = cli("okrs", "scores", template)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("2026-Q3: 4 scores recorded")
    rows = cli("scores", "--cycle", "2026-Q3", "--format", "json").json()
    assert [(r["kr_id"], r["self"], r["committee"], r["final"], r["note"]) for r in rows if r["level"] == "kr"] == [
        ("KR1.1", 8, 7, 7, "研讨会贡献最大")]
    assert [(r["person"], r["values"], r["review"]) for r in rows if r["level"] == "person"] == [("王芳", 9, 8)]


def test_closing_early_and_reopening_are_kept_with_who_and_why(loaded, db):
    """fixtures/okrs' 2026-Q3 ends 2026-09-30, long past: closing it needs no --early. 2027-Q1 would."""
    assert loaded("okrs", "close", "2026-Q3").exit_code == 0
    refused = loaded("okrs", "close", "2026-Q3", "--reopen")
    assert refused.exit_code == 1 and "reopening 2026-Q3 needs a reason" in refused.stderr
    assert loaded("okrs", "close", "2026-Q3", "--reopen", "--reason", "KR1.1 数据补录").exit_code == 0
    assert loaded("okrs", "close", "--cycle", "2026-Q3").exit_code == 0  # as other commands name it
    assert query(db, "SELECT event, done_by, reason FROM cycle_event ORDER BY done_at") == [
        ("closed", ME, None), ("reopened", ME, "KR1.1 数据补录"), ("closed", ME, None)]


def test_a_cycle_closed_before_its_end_needs_early(loaded, db):
    from datetime import date

    from pipelines.errors import ConfigError
    from pipelines.okr_store import close_cycle
    from pipelines.warehouse import writer

    with pytest.raises(ConfigError) as refused, writer(db) as w:  # fixtures/okrs: 2026-Q3 ends 2026-09-30
        close_cycle(w, "2026-Q3", today=date(2026, 9, 30))
    assert refused.value.one_line() == ("column 'CYCLE': 2026-Q3 runs to 2026-09-30: closing it now judges its KRs on "
                                        "2026-09-30 with the data there is so far (got '2026-Q3'). Pass --early to close it anyway")
    assert query(db, "SELECT closed_at IS NULL, (SELECT count(*) FROM cycle_event) FROM okr_cycle") == [(True, 0)]
    with writer(db) as w:
        close_cycle(w, "2026-Q3", early=True, today=date(2026, 9, 30))
    assert query(db, "SELECT closed_at IS NOT NULL, (SELECT count(*) FROM cycle_event) FROM okr_cycle") == [(True, 1)]
