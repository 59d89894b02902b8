"""The Evaluation page (issue 5): the demo's 2026-Q3 scores as `okrfunnel scores` gives them,
saving through the page and through ``dashboard.writes`` (what the page's buttons call),
validation, the closed-cycle reason rule and history, lessons and next steps, closing a cycle,
and the role check of every write.

The demo's Q3 (pipelines/demo/okrs.py ``_q3_scores``), closed: KR2.1 (weight .6) self 7,
committee 5; KR2.2 (.4) self 10; so O2 = 5 x .6 + 10 x .4 = 7. A committee 6 for KR2.1 makes
O2 = 3.6 + 4 = 7.6, and 陈静 (owner of KR2.1 only: OKR score 6) 6 x .75 + 7 x .15 + 7 x .10 = 6.25."""

from __future__ import annotations

import getpass
import hashlib
import json
import math
from pathlib import Path

import pytest
from conftest import query
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import dashboard
from dashboard import writes
from dashboard.auth import AccessDenied, User
from pipelines.cli import app
from pipelines.errors import OkrDefinitionError

APP = Path(dashboard.__file__).parent / "app.py"
PAGE = "views/evaluation.py"
ADMIN, MEMBER, VIEWER = User("刘总", "admin"), User("陈静", "member"), User("Chen", "viewer")
LOCAL = f"{getpass.getuser()} (local)"  # without sign-in, what the page writes is signed by the account serving it
runner = CliRunner()


def evaluation(cycle: str = "2026-Q3", **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.sidebar.selectbox(key="cycle").select(cycle).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def records(frame) -> list[dict]:
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            for row in frame.value.to_dict("records")]


def cli_scores(db: Path, cycle: str = "2026-Q3") -> list[dict]:
    result = runner.invoke(app, ["scores", "--cycle", cycle, "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_page_shows_the_scores_of_the_cli(warehouse):
    at = evaluation()
    krs, people, roll_ups, events, history = at.dataframe
    assert [(e["Cycle"], e["By"]) for e in records(events)] == [("Closed", "评审委员会")]  # the demo closed Q3
    fields = ("kr_id", "suggested", "self", "committee", "final", "note")
    expected = [{k: r[k] for k in fields} for r in cli_scores(warehouse) if r["level"] == "kr"]
    assert [{k: r[k] for k in fields} for r in records(krs)] == expected
    assert {r["kr_id"]: r["final"] for r in records(krs)}["KR2.1"] == 5
    assert {r["person"]: r["performance"] for r in records(people)}["王芳"] == 9.75
    assert [(r["Who"], r["Score"]) for r in records(roll_ups) if r["Level"] == "Objective"] == [("O1", 8.5), ("O2", 7), ("O3", 9.5)]
    assert len(records(history)) == 23
    assert "This cycle is closed" in at.info[0].value
    assert at.text_area(key="evaluation_lessons_2026-Q3").value.splitlines()[0] == "直播课和研讨会带来的线索转化最好，应成为主力渠道"
    zh = evaluation(language="zh")
    assert zh.title[0].value == "评估 · 2026-Q3" and zh.button(key="evaluation_save").label == "保存评分"


def test_saving_unchanged_tables_through_the_page_records_nothing(warehouse):
    before = query(warehouse, "SELECT count(*) FROM score_entry")
    at = evaluation()
    at.button(key="evaluation_save").click().run()
    assert not at.exception and at.success[0].value == "0 scores recorded."
    assert query(warehouse, "SELECT count(*) FROM score_entry") == before


def test_a_viewer_reads_and_cannot_edit(warehouse, monkeypatch):
    monkeypatch.setenv("OKRFUNNEL_OPEN", "1")  # no sign-in, open to the network: everyone is a viewer
    at = evaluation()
    assert "Scores are entered by an admin" in at.caption[0].value
    assert not [b for b in at.button if b.key and b.key.startswith("evaluation_")]
    assert at.text_area(key="evaluation_lessons_2026-Q3").disabled and len(at.dataframe) == 5


def test_a_closed_cycle_changes_only_with_a_reason_kept_in_history(warehouse):
    before = sha(warehouse)
    change = [{"kr_id": "KR2.1", "self": 7.0, "committee": 6.0, "note": "复核：8 月后增长放缓不完全可控", "reason": None}]
    with pytest.raises(OkrDefinitionError) as refused:
        writes.save_scores(ADMIN, "2026-Q3", change, [])
    assert [p.one_line() for p in refused.value.details["problems"]] == [  # the row's note goes with the committee score
        "key results, row 1, column 'reason': KR2.1 committee score 5 -> 6: 2026-Q3 is closed; expected a reason for the change",
    ]
    assert sha(warehouse) == before
    note_only = [{"kr_id": "KR2.1", "self": 7.0, "committee": 5.0, "note": "只改评语", "reason": None}]
    with pytest.raises(OkrDefinitionError) as refused:
        writes.save_scores(ADMIN, "2026-Q3", note_only, [])
    assert "KR2.1 committee note changed: 2026-Q3 is closed" in refused.value.details["problems"][0].one_line()
    change[0]["reason"] = "复核后上调"
    assert writes.save_scores(ADMIN, "2026-Q3", change, []).count == 1
    rows = cli_scores(warehouse)
    assert [(r["committee"], r["final"]) for r in rows if r["kr_id"] == "KR2.1"] == [(6, 6)]
    assert [r["score"] for r in rows if r["level"] == "objective" and r["objective_id"] == "O2"] == [7.6]
    assert [r["performance"] for r in rows if r["level"] == "person" and r["person"] == "陈静"] == [6.25]
    assert query(warehouse, """SELECT score, scored_by, reason, source_file LIKE '%scores_2026-Q3.yaml' FROM score_entry
                               WHERE subject = 'KR2.1' AND kind = 'committee' ORDER BY scored_at""") == [
        (5.0, "评审委员会", None, True), (6.0, "刘总", "复核后上调", False)]
    assert query(warehouse, """SELECT score, note FROM score_entry WHERE subject = 'KR2.1' AND kind = 'self'""") == [
        (7.0, "信心一直保持 8 分，但粉丝增长在 8 月已明显放缓")]  # untouched: its note stays the file's
    history = records(evaluation().dataframe[-1])
    assert (history[0]["Score"], history[0]["By"], history[0]["Reason for a change"], history[0]["From"]) == (
        6.0, "刘总", "复核后上调", "dashboard")


def test_bad_scores_are_named_and_nothing_is_written(warehouse):
    before = sha(warehouse)
    with pytest.raises(OkrDefinitionError) as refused:
        writes.save_scores(ADMIN, "2026-Q3", [{"kr_id": "KR1.1", "self": 11.0}, {"kr_id": "KR1.2", "committee": -1.0}],
                           [{"person": "王芳", "values": "nine"}])
    assert [p.one_line() for p in refused.value.details["problems"]] == [
        "key results, row 1, column 'self': score outside 0-10 (got '11.0'); expected a score from 0 to 10",
        "key results, row 2, column 'committee': score outside 0-10 (got '-1.0'); expected a score from 0 to 10",
        "people, row 1, column 'values': score outside 0-10 (got 'nine'); expected a score from 0 to 10",
    ]
    assert sha(warehouse) == before


def test_lessons_and_next_steps_from_the_page(warehouse):
    writes.save_review_notes(ADMIN, "2026-Q4", "研讨会转化最好\n\n  知乎靠热点  \n", "")
    assert query(warehouse, "SELECT section, position, text, written_by FROM review_note WHERE cycle = '2026-Q4' ORDER BY position") == [
        ("lessons", 0, "研讨会转化最好", "刘总"), ("lessons", 1, "知乎靠热点", "刘总")]
    at = evaluation("2026-Q4")
    assert at.text_area(key="evaluation_lessons_2026-Q4").value == "研讨会转化最好\n知乎靠热点"
    at.text_area(key="evaluation_lessons_2026-Q4").input("只留一条")
    at.text_area(key="evaluation_next_steps_2026-Q4").input("下一步一\n下一步二")
    at.button(key="evaluation_save_review").click().run()
    assert not at.exception
    assert query(warehouse, "SELECT section, text, written_by FROM review_note WHERE cycle = '2026-Q4' ORDER BY section, position") == [
        ("lessons", "只留一条", None), ("next_steps", "下一步一", None), ("next_steps", "下一步二", None)]


def test_closing_and_reopening_a_cycle_from_the_page(warehouse):
    at = evaluation("2026-Q4")  # runs to 2026-12-31: closing it now is early, and the box says so
    assert at.checkbox(key="evaluation_confirm").label.startswith("Close 2026-Q4 before its end (Dec 31, 2026)")
    assert at.button(key="evaluation_close").disabled  # not before the confirmation
    at.checkbox(key="evaluation_confirm").check().run()
    at.button(key="evaluation_close").click().run()
    assert query(warehouse, "SELECT closed_at IS NOT NULL FROM okr_cycle WHERE cycle = '2026-Q4'") == [(True,)]
    assert "This cycle is closed" in at.info[0].value and at.button(key="evaluation_close").label == "Reopen the cycle"
    at.checkbox(key="evaluation_confirm").check().run()
    at.button(key="evaluation_close").click().run()  # no reason given
    assert "reopening 2026-Q4 needs a reason" in at.error[0].value
    assert query(warehouse, "SELECT closed_at IS NOT NULL FROM okr_cycle WHERE cycle = '2026-Q4'") == [(True,)]
    at.text_input(key="evaluation_reopen_reason").input("委员会要求复核 KR2.1")
    at.button(key="evaluation_close").click().run()
    assert query(warehouse, "SELECT closed_at IS NULL FROM okr_cycle WHERE cycle = '2026-Q4'") == [(True,)]
    assert query(warehouse, "SELECT event, done_by, reason FROM cycle_event WHERE cycle = '2026-Q4' ORDER BY done_at") == [
        ("closed", LOCAL, None), ("reopened", LOCAL, "委员会要求复核 KR2.1")]
    events = records(at.dataframe[3])
    assert [(e["Cycle"], e["Reason for a change"]) for e in events] == [("Reopened", "委员会要求复核 KR2.1"), ("Closed", None)]


@pytest.mark.parametrize("user", [VIEWER, MEMBER])
def test_every_evaluation_write_needs_admin(warehouse, user):
    before = sha(warehouse)
    for write, args in ((writes.save_scores, ("2026-Q4", [{"kr_id": "KR1.1", "self": 5.0}], [])),
                        (writes.save_review_notes, ("2026-Q4", "a", "b")),
                        (writes.close_cycle, ("2026-Q4",)), (writes.close_cycle, ("2026-Q3", True))):
        with pytest.raises(AccessDenied) as denied:
            write(user, *args)
        assert f"needs the admin role (got '{user.role}')" in denied.value.one_line()
    assert sha(warehouse) == before


def test_without_sign_in_scores_are_signed_by_the_account_serving_the_dashboard(warehouse):
    recorded = writes.save_scores(User(None, "admin"), "2026-Q4", [{"kr_id": "KR1.1", "self": 6.0, "note": None}],
                                  [{"person": "王方", "values": 8.0}])  # 王芳 written with a wrong character
    assert recorded.count == 2
    assert recorded.warnings == ["王方 owns no key result or objective in 2026-Q4: their performance has no OKR score "
                                 "(owners: 刘洋, 周敏, 张伟, 李娜, 王芳, 赵磊, 陈静)"]
    assert query(warehouse, "SELECT subject, score, scored_by FROM score_entry WHERE cycle = '2026-Q4' ORDER BY subject") == [
        ("KR1.1", 6.0, LOCAL), ("王方", 8.0, LOCAL)]


def test_switching_cycles_shows_each_cycles_lessons_and_saves_them_there(warehouse):
    """The review found one cycle's lessons shown (and saved) under another after a switch."""
    at = evaluation("2026-Q4")
    assert at.text_area(key="evaluation_lessons_2026-Q4").value == ""
    at.sidebar.selectbox(key="cycle").select("2026-Q3").run()
    assert at.text_area(key="evaluation_lessons_2026-Q3").value.splitlines()[0] == "直播课和研讨会带来的线索转化最好，应成为主力渠道"
    at.button(key="evaluation_save_review").click().run()
    assert query(warehouse, "SELECT count(*) FROM review_note WHERE cycle = '2026-Q3'") == [(6,)]
    assert query(warehouse, "SELECT count(*) FROM review_note WHERE cycle = '2026-Q4'") == [(0,)]
