"""The Week page under AppTest: the Monday plan, the Friday celebration, the check-in form and the
monthly review, in both languages; what each role sees. Expected values by hand: from
fixtures/okrs/ (see test_week.py) and, for the demo, from pipelines/demo/okrs.py's 2026-Q4 tasks
and check-ins. Weeks are chosen on the page, so nothing depends on today's date, except that the
weeks of 2026 used here are past (their Wednesday gone), which stays true."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import query
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.auth import User
from dashboard.i18n import catalogue
from dashboard.tables import STATUS_ICONS
from pipelines.access import hash_password
from pipelines.cli import app as cli_app

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def sha(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def week_page(week: date, cycle: str, language: str = "en", sign_in: tuple[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["language"] = language
    at.run()
    if sign_in:
        at.text_input[0].input(sign_in[0])
        at.text_input[1].input(sign_in[1])
        at.button[0].click().run()
    at.switch_page("views/week.py").run()
    at.selectbox(key=f"week_{cycle}_{language}").set_value(week).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return at


TABS = {"plan": 0, "celebration": 1, "month": 3}
TABLES = {  # (tab, a column only that table of the tab has)
    "week-plan": ("plan", "people"), "week-done": ("celebration", "done_on"), "week-moved": ("celebration", "after"),
    "week-rose": ("celebration", "note"), "week-history": ("plan", "reason"), "month-confidence": ("month", "drops"),
}


def table(at: AppTest, name: str) -> list[dict]:
    tab, column = TABLES[name]
    found = [f.value for f in at.tabs[TABS[tab]].dataframe if column in f.value.columns]
    return found[0].to_dict("records") if found else []


def button(at: AppTest, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


@pytest.fixture
def q3(loaded, db, monkeypatch, tmp_path):
    """fixtures/okrs/ (cycle 2026-Q3, open) behind the dashboard, no sign-in: the local admin."""
    monkeypatch.setenv("OKRFUNNEL_DB", str(db))
    monkeypatch.delenv("OKRFUNNEL_CONFIG", raising=False)
    return db


def test_the_week_in_both_languages(warehouse):
    """Demo, week Mon 11-16..Sun 11-22 of 2026-Q4. Tasks due in it: T2 关停 CPC... (KR1.2, 11-20,
    doing) and T8 直播课 (KR3.1, 11-19, done); none due earlier is still open. Done this week: T8
    (it arrived done; its due day). Confidence up: only KR1.1, 7 -> 8 on 11-16 (the others held)."""
    at = week_page(date(2026, 11, 16), "2026-Q4")
    assert at.title[0].value == "2026-Q4: this week"
    assert [t.label for t in at.tabs] == ["Monday plan", "Friday celebration", "Check-in", "Monthly review"]
    plan = table(at, "week-plan")
    assert [(r["task_id"], r["kr_id"], r["due"], r["status"]) for r in plan] == [
        ("T2", "KR1.2", "Nov 20", "In progress"), ("T8", "KR3.1", "Nov 19", "Done")]
    assert plan[1]["people"] == "赵磊 + 李娜"
    assert at.caption[0].value.startswith("Past Wednesday (Nov 18): a change of plan")
    assert [r["task_id"] for r in table(at, "week-done")] == ["T8"]
    assert [(r["kr_id"], r["date"], r["confidence"], r["change"]) for r in table(at, "week-rose")] == [
        ("KR1.1", "Nov 16", "8/10", "+1")]
    moved = [r["kr_id"] for r in table(at, "week-moved")]
    assert "KR3.2" not in moved  # the case library's value stayed at 6
    assert "🎉 Tasks done: **1**" in " ".join(m.value for m in at.markdown)

    at.sidebar.radio(key="language").set_value("zh").run()
    assert not at.exception and at.title[0].value == "2026-Q4：本周"
    assert [t.label for t in at.tabs] == ["周一规划会", "周五庆功会", "信心打卡", "月度复盘"]
    assert [(r["task_id"], r["due"], r["status"]) for r in table(at, "week-plan")] == [
        ("T2", "11月20日", "进行中"), ("T8", "11月19日", "已完成")]
    assert "🎉 完成任务 **1** 项" in " ".join(m.value for m in at.markdown)
    assert at.selectbox(key="month_2026-Q4_zh").options == ["2026 年 10 月", "2026 年 11 月", "2026 年 12 月"]
    assert at.selectbox(key="month_2026-Q4_zh").value == date(2026, 11, 1)
    assert at.selectbox(key="week_2026-Q4_zh").options[7] == "第 47 周 · 11月16日 – 11月22日"
    assert at.selectbox(key="week_2026-Q4_zh").value == date(2026, 11, 16)  # the week chosen in English


def test_the_checkin_form_refuses_bad_input_and_writes_a_good_one(q3, loaded):
    at = week_page(date(2026, 7, 27), "2026-Q3")
    at.selectbox(key="checkin_kr").set_value("KR1.1").run()
    assert "Last check-in: 4/10 on Jul 27." in [c.value for c in at.caption]
    at.date_input(key="checkin_day_2026-07-27").set_value(date(2026, 7, 28))
    before = sha(q3)
    for bad in (0, 11, 7.5, None):
        at.number_input(key="checkin_confidence").set_value(bad)
        button(at, "Check in").click().run()
        assert [e.value for e in at.error] == ["Not saved: confidence must be a whole number from 1 to 10."], bad
    assert sha(q3) == before  # a long note never gets here: the box keeps 500 characters (the write refuses more)

    at.number_input(key="checkin_confidence").set_value(6)
    at.text_area(key="checkin_note").set_value("第二批关键词上线")
    button(at, "Check in").click().run()
    assert not at.error and [s.value for s in at.success] == ["Checked in: KR1.1 6/10 on Jul 28."]
    assert "Last check-in: 6/10 on Jul 28." in [c.value for c in at.caption]
    assert query(q3, "SELECT confidence, note, source_file FROM checkin WHERE kr_id = 'KR1.1' AND date = '2026-07-28'") == [
        (6, "第二批关键词上线", "dashboard")]

    assert loaded("okrs", "close", "2026-Q3").exit_code == 0
    at.run()
    assert [i.value for i in at.info if "closed" in i.value] == ["2026-Q3 is closed: its check-ins and tasks no longer change."] * 2
    assert not [b for b in at.button if b.label in ("Check in", "Save the task", "Add")]


def test_a_late_change_of_plan_needs_a_reason_on_the_page(q3):
    """Week of 07-27 (T1 due Fri 07-31): its Wednesday is long gone."""
    at = week_page(date(2026, 7, 27), "2026-Q3")
    assert [r["task_id"] for r in table(at, "week-plan")] == ["T1"]
    at.selectbox(key="week_edit_task").set_value("T1").run()
    at.date_input(key="edit_T1_r1_en_due").set_value(date(2026, 8, 7))
    before = sha(q3)
    button(at, "Save the task").click().run()
    assert [e.value for e in at.error] == ["Not saved: this week's plan is past Wednesday, so say why it changes."]
    assert sha(q3) == before
    at.text_input(key="edit_T1_r1_en_reason").set_value("嘉宾改期")
    button(at, "Save the task").click().run()
    assert [s.value for s in at.success] == ["Task T1 saved."]
    assert table(at, "week-plan") == []  # nothing due this week anymore

    at.text_input(key="add_2026-07-27_0_en_title").set_value("补一场直播")  # due on the week's Friday, 07-31
    button(at, "Add").click().run()
    assert [e.value for e in at.error] == ["Not saved: this week's plan is past Wednesday, so say why it changes."]
    at.text_input(key="add_2026-07-27_0_en_reason").set_value("嘉宾空出周五")
    button(at, "Add").click().run()
    assert [s.value for s in at.success] == ["Task T3 added."]
    assert [(r["task_id"], r["title"], r["due"]) for r in table(at, "week-plan")] == [("T3", "补一场直播", "Jul 31")]
    assert at.text_input(key="add_2026-07-27_1_en_title").value == ""  # a fresh form for the next one
    at.selectbox(key="week_2026-Q3_en").set_value(date(2026, 8, 3)).run()  # where T1 went, with why; T3 not done: carried
    assert [(r["task_id"], r["status"]) for r in table(at, "week-plan")] == [("T3", "To do · carried over"), ("T1", "Done")]
    assert [(r["task_id"], r["field"], r["old"], r["new"], r["reason"]) for r in table(at, "week-history")] == [
        ("T1", "due", "Jul 31", "Aug 7", "嘉宾改期"), ("T3", "added", "", "补一场直播", "嘉宾空出周五")]


def test_the_celebration_and_month_by_hand(q3):
    """fixtures/okrs/, week 07-20..07-26 against 07-19 (worked out in test_week.py): KR1.1 7 -> 10
    SQLs, KR1.2 1,250 -> 1,300 followers, KR1.3 cost per SQL ¥413 -> ¥400, KR2.2 3 -> 5; KR2.1
    did not move. July: KR1.1 confidence 5 -> 4 over 3 check-ins, one drop; one task due, done."""
    at = week_page(date(2026, 7, 20), "2026-Q3")
    assert [(r["kr_id"], r["before"], r["after"], r["change"]) for r in table(at, "week-moved")] == [
        ("KR1.1", "7", "10", "+3"), ("KR1.2", "1,250", "1,300", "+50"), ("KR1.3", "¥413", "¥400", "-¥13"),
        ("KR2.2", "3", "5", "+2")]
    assert "No check-in this week raised confidence." in [c.value for c in at.caption]
    at.selectbox(key="month_2026-Q3_en").set_value(date(2026, 7, 1)).run()
    confidence = {r["kr_id"]: r for r in table(at, "month-confidence")}
    assert {k: confidence["KR1.1"][k] for k in ("before", "after", "change", "checkins", "drops")} == {
        "before": "5/10", "after": "4/10", "change": "-1", "checkins": 3, "drops": 1}
    assert [(m.label, m.value) for m in at.metric] == [("Due", "1"), ("Done", "1"), ("Done share", "100%")]


def test_what_each_role_sees(warehouse, tmp_path, monkeypatch):
    """Demo 2026-Q4: 李娜 owns no KR there but helps with T8 (直播课, 赵磊's); 陈静 owns KR2.1 and
    KR2.2; the CEO is a viewer."""
    people = {"ceo": ("Chen", "viewer"), "lina": ("李娜", "member"), "chenjing": ("陈静", "member")}
    config = tmp_path / "okrfunnel.toml"
    config.write_text('[access]\nsign_in = "password"\n' + "".join(
        f'[access.people.{login}]\nname = "{name}"\nrole = "{role}"\npassword_hash = "{hash_password(login, 1000)}"\n'
        for login, (name, role) in people.items()), encoding="utf-8")
    monkeypatch.setenv("OKRFUNNEL_CONFIG", str(config))

    ceo = week_page(date(2026, 11, 16), "2026-Q4", sign_in=("ceo", "ceo"))
    assert ceo.session_state["current_user"] == User("Chen", "viewer")
    assert "Viewers read the week; members check in and update their tasks." in [i.value for i in ceo.info]
    assert not [b for b in ceo.button if b.label in ("Check in", "Save the task", "Add")]

    lina = week_page(date(2026, 11, 16), "2026-Q4", sign_in=("lina", "lina"))
    assert lina.selectbox(key="week_edit_task").options == ["T8 · 直播课 10/22、11/5、11/19 三期"]
    assert "You own none of these key results: their owners check in for them." in [i.value for i in lina.info]

    chen = week_page(date(2026, 11, 16), "2026-Q4", sign_in=("chenjing", "chenjing"))
    assert [o.split(" · ")[0] for o in chen.selectbox(key="checkin_kr").options] == ["KR2.1", "KR2.2"]
    assert "None of this week's tasks is yours to update." in [c.value for c in chen.caption]
    # a task for 王芳's KR, with 王芳 on it: not hers to add
    chen.selectbox(key="add_kr").set_value("KR1.1")
    chen.text_input(key="add_2026-11-16_0_en_title").set_value("帮忙")
    chen.text_input(key="add_2026-11-16_0_en_owner").set_value("王芳")
    before = sha(warehouse)
    button(chen, "Add").click().run()
    assert [e.value for e in chen.error] == [
        ("Not saved: a member checks in on the key results they own, and adds or changes tasks they own or help with "
         "(or tasks of their own key results); an admin can change the others.")]
    assert sha(warehouse) == before


def test_a_week_and_month_past_the_data_are_judged_on_its_last_day(warehouse):
    """The demo's data ends 2026-11-22. The week of 11-23 has none yet: the celebration says so.
    November's review judges its KRs on 11-22 (as the Overview does), not on 11-30."""
    at = week_page(date(2026, 11, 23), "2026-Q4")
    assert [i.value for i in at.tabs[TABS["celebration"]].info] == [
        "No data for this week yet: the data ends on Nov 22, 2026. Tasks done and check-ins still count."]
    at.selectbox(key="month_2026-Q4_en").set_value(date(2026, 11, 1)).run()
    month = next(f.value for f in at.tabs[TABS["month"]].dataframe if "attainment" in f.value.columns).to_dict("records")
    krs = {r["kr_id"]: r for r in json.loads(CliRunner().invoke(
        cli_app, ["krs", "--cycle", "2026-Q4", "--format", "json", "--db", str(warehouse)]).stdout)}
    assert {r["kr_id"]: r["status"] for r in month} == {
        k: f"{STATUS_ICONS[r['status']]} {catalogue('en')['status.' + r['status']]}" for k, r in krs.items()}
