"""The Week page's writes and lists, on fixtures/okrs/ (cycle 2026-Q3, 07-01..09-30, open), every
expected value worked out by hand from okrs_2026-Q3.yaml and the three exports beside it.

The file's tasks: T1 KR1.1 上线网络研讨会系列, owner 王芳, helpers 李娜 + 赵强, due Fri 07-31, done;
T2 KR2.2 采访 5 家客户, owner 赵强, due Sat 08-15, doing. KR owners: KR1.1 王芳, KR1.2/1.3 李娜,
KR2.1/2.2 赵强. Week of T1: Mon 07-27..Sun 08-02, its Wednesday 07-29.
"""

from __future__ import annotations

import doctest
import hashlib
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import FIXTURES, query

from dashboard import writes
from dashboard.auth import AccessDenied, User
from pipelines import okr_week
from pipelines.errors import ConfigError, OkrDefinitionError, WarehouseError
from pipelines.okr_confidence import drift
from pipelines.okr_eval import evaluate
from pipelines.okr_store import task_changes, tasks
from pipelines.warehouse import reader

CYCLE = "2026-Q3"
ADMIN, VIEWER = User("张伟", "admin"), User("陈总", "viewer")
WANG, LI, ZHAO = (User(name, "member") for name in ("王芳", "李娜", "赵强"))


@pytest.fixture
def q3(loaded, db, monkeypatch):
    """The fixture warehouse, the dashboard's writes pointed at it; ``loaded`` runs the CLI on it."""
    monkeypatch.setenv("OKRFUNNEL_DB", str(db))
    return db


def sha(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def stored_tasks(db: Path) -> dict[str, dict]:
    with reader(db) as con:
        return {t["task_id"]: t for t in tasks(con, CYCLE)}


def changes(db: Path) -> list[dict]:
    with reader(db) as con:
        return task_changes(con, CYCLE)


def test_week_helpers_examples():
    assert doctest.testmod(okr_week).failed == 0


@pytest.mark.parametrize("confidence", [0, 11, 7.5, None])
def test_checkin_refuses_a_bad_confidence_and_changes_nothing(q3, confidence):
    before = sha(q3)
    with pytest.raises(ConfigError) as refused:
        writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 3), confidence, "ok")
    assert refused.value.column == "confidence"
    assert refused.value.expected == "a whole number from 1 to 10"
    assert sha(q3) == before


def test_checkin_refusals_name_the_problem(q3, loaded):
    before = sha(q3)
    cases = [
        (lambda: writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 3), 6, "很" * 501), ConfigError,
         ("dashboard, column 'note': the note is longer than 500 characters (got '501 characters'). "
          "Put the longer story behind a task's link")),
        (lambda: writes.check_in(ADMIN, CYCLE, "KR9", date(2026, 8, 3), 6, None), ConfigError,
         "dashboard, column 'kr': check-in for an unknown key result (got 'KR9'); expected a KR id of cycle 2026-Q3. Did you mean KR2.2?"),
        (lambda: writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 10, 1), 6, None), ConfigError,
         "dashboard, column 'date': check-in outside the cycle (got '2026-10-01'); expected a date from 2026-07-01 to 2026-09-30 (2026-Q3)"),
        (lambda: writes.check_in(LI, CYCLE, "KR1.1", date(2026, 8, 3), 6, None), AccessDenied,
         "a check-in for KR1.1 is for 王芳 or an admin (got '李娜'). Ask them or an admin to make this change"),
        (lambda: writes.check_in(VIEWER, CYCLE, "KR1.1", date(2026, 8, 3), 6, None), AccessDenied,
         ("a check-in needs the member role (got 'viewer'); expected member or admin. "
          "Ask an admin to change your role in okrfunnel.toml [access]")),
    ]
    for attempt, error, message in cases:
        with pytest.raises(error) as refused:
            attempt()
        assert refused.value.one_line() == message
    assert sha(q3) == before

    assert loaded("okrs", "close", CYCLE).exit_code == 0
    closed = sha(q3)
    with pytest.raises(OkrDefinitionError, match="cycle 2026-Q3 was closed on .*; its OKRs no longer change"):
        writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 3), 6, None)
    assert sha(q3) == closed


def test_a_checkin_is_written_beside_an_open_reader(q3, loaded):
    # A reader in another process (a dashboard) holds the warehouse open through the write.
    script = ("import duckdb, sys\n"
              f"con = duckdb.connect({str(q3)!r}, read_only=True)\n"
              "count = \"SELECT count(*) FROM checkin WHERE kr_id = 'KR1.1'\"\n"
              "print(con.execute(count).fetchone()[0], flush=True)\n"
              "sys.stdin.readline()\n"
              "print(con.execute(count).fetchone()[0], flush=True)\n"
              "con.close()\n"  # as the dashboard does after each query: the next one opens the new file
              f"con = duckdb.connect({str(q3)!r}, read_only=True)\n"
              "print(con.execute(count).fetchone()[0], flush=True)\n")
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "3"  # 07-06, 07-13, 07-27
        writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 3), 6, "  第二批活动上线  ")
        writes.check_in(ADMIN, CYCLE, "KR1.2", date(2026, 8, 3), 8, None)
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "3"  # its snapshot stays whole: the old file
        assert other.stdout.readline().strip() == "4"  # and its next connection sees the check-in
    finally:
        other.communicate(timeout=30)
    assert other.returncode == 0
    assert query(q3, "SELECT kr_id, date, confidence, note, source_file, recorded_by FROM checkin WHERE date = '2026-08-03' ORDER BY kr_id") == [
        ("KR1.1", date(2026, 8, 3), 6, "第二批活动上线", "dashboard", "王芳"),
        ("KR1.2", date(2026, 8, 3), 8, None, "dashboard", "张伟"),
    ]
    # The same KR and day replaces, as `okrfunnel okrs checkins` does; the CLI sees the form's check-ins.
    writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 3), 7, None)
    shown = [r for r in loaded("confidence", "--cycle", CYCLE, "--format", "json").json() if r["kr_id"] == "KR1.1"]
    assert [(r["date"], r["confidence"], r["change_prev"]) for r in shown] == [
        ("2026-07-06", 7, 2), ("2026-07-13", 4, -3), ("2026-07-27", 4, 0), ("2026-08-03", 7, 3)]


def test_every_task_write_checks_the_role(q3):
    new = {"kr_id": "KR1.1", "title": "网络研讨会回放剪辑", "owner": "王芳", "helpers": [], "due": date(2026, 8, 14),
           "status": "todo", "link": None}
    monday = date(2026, 8, 3)
    before = sha(q3)
    refusals = [
        lambda: writes.add_task(VIEWER, CYCLE, new, today=monday),
        lambda: writes.add_task(ZHAO, CYCLE, new, today=monday),  # KR1.1 and the task are 王芳's
        lambda: writes.edit_task(VIEWER, CYCLE, "T2", {"status": "done"}, today=monday),
        lambda: writes.edit_task(LI, CYCLE, "T2", {"status": "done"}, today=monday),  # 赵强's task
    ]
    for attempt in refusals:
        with pytest.raises(AccessDenied):
            attempt()
    assert sha(q3) == before

    assert writes.add_task(WANG, CYCLE, new, today=monday) == "T3"  # her KR
    assert writes.add_task(LI, CYCLE, {**new, "owner": "李娜", "title": "整理问答"}, today=monday) == "T4"  # her task
    assert writes.edit_task(LI, CYCLE, "T1", {"link": "https://wiki.example.com/webinar-2"}, today=monday) == ["link"]  # a helper
    assert writes.edit_task(ZHAO, CYCLE, "T2", {"status": "done"}, today=monday) == ["status"]
    assert writes.edit_task(ADMIN, CYCLE, "T3", {"helpers": ["李娜", "王芳", "李娜"]}, today=monday) == ["helpers"]
    assert writes.add_task(ADMIN, CYCLE, {**new, "kr_id": "KR2.1", "owner": "赵强", "title": "展会物料"}, today=monday) == "T5"
    found = stored_tasks(q3)
    assert found["T3"]["helpers"] == ["李娜"]  # the owner and repeats dropped
    assert (found["T2"]["status"], found["T2"]["done_on"]) == ("done", monday)
    assert [(c["task_id"], c["field"], c["changed_by"]) for c in changes(q3) if c["source"] == "dashboard"] == [
        ("T3", "created", "王芳"), ("T4", "created", "李娜"), ("T1", "link", "李娜"), ("T2", "status", "赵强"),
        ("T3", "helpers", "张伟"), ("T5", "created", "张伟")]


def test_a_task_field_is_checked(q3):
    base = {"kr_id": "KR1.1", "title": "t", "owner": "王芳", "helpers": [], "due": None, "status": "todo", "link": None}
    before = sha(q3)
    for changed, column in [({"kr_id": "KR9"}, "kr_id"), ({"title": "  "}, "title"), ({"status": "finished"}, "status"),
                            ({"link": "javascript:alert(1)"}, "link")]:
        with pytest.raises(ConfigError) as refused:
            writes.add_task(ADMIN, CYCLE, {**base, **changed}, today=date(2026, 8, 3))
        assert refused.value.column == column
    with pytest.raises(ConfigError, match="no such task"):
        writes.edit_task(ADMIN, CYCLE, "T99", {"status": "done"}, today=date(2026, 8, 3))
    assert sha(q3) == before


def test_the_plan_changes_after_wednesday_only_with_a_reason(q3):
    wednesday, thursday = date(2026, 7, 29), date(2026, 7, 30)
    assert writes.edit_task(WANG, CYCLE, "T1", {"title": "上线网络研讨会系列 (4 期)"}, today=wednesday) == ["title"]

    before = sha(q3)
    late = [
        lambda: writes.edit_task(WANG, CYCLE, "T1", {"due": date(2026, 8, 7)}, today=thursday),  # out of the locked week
        lambda: writes.edit_task(WANG, CYCLE, "T1", {"owner": "李娜"}, today=thursday),
        lambda: writes.edit_task(ZHAO, CYCLE, "T2", {"due": date(2026, 7, 31)}, today=thursday, reason="  "),  # into it
        lambda: writes.add_task(WANG, CYCLE, {"kr_id": "KR1.1", "title": "补一场直播", "owner": "王芳", "helpers": [],
                                              "due": date(2026, 8, 2), "status": "todo", "link": None}, today=thursday),
    ]
    for attempt in late:
        with pytest.raises(ConfigError) as refused:
            attempt()
        assert refused.value.column == "reason"
    assert refused.value.one_line() == ("dashboard, column 'reason': the plan of the week of 2026-07-27 is past its "
                                        "Wednesday: a change needs a reason; expected why the plan changes. "
                                        "Agree the change with the KR's lead and say why")
    assert sha(q3) == before

    # progress is never locked; a task due next week is next week's plan
    assert writes.edit_task(WANG, CYCLE, "T1", {"status": "doing"}, today=thursday) == ["status"]
    assert writes.add_task(WANG, CYCLE, {"kr_id": "KR1.1", "title": "下周直播", "owner": "王芳", "helpers": [],
                                         "due": date(2026, 8, 3), "status": "todo", "link": None}, today=thursday) == "T3"
    assert writes.edit_task(WANG, CYCLE, "T1", {"due": date(2026, 8, 7)}, today=thursday, reason="嘉宾改期到下周") == ["due"]
    assert [(c["task_id"], c["field"], c["old_value"], c["new_value"], c["change_date"], c["reason"], c["changed_by"])
            for c in changes(q3) if c["source"] == "dashboard"] == [
        ("T1", "title", "上线网络研讨会系列", "上线网络研讨会系列 (4 期)", wednesday, None, "王芳"),
        ("T1", "status", "done", "doing", thursday, None, "王芳"),
        ("T3", "created", None, {"kr_id": "KR1.1", "title": "下周直播", "owner": "王芳", "helpers": [], "due": "2026-08-03",
                                 "status": "todo", "link": None}, thursday, None, "王芳"),
        ("T1", "due", "2026-07-31", "2026-08-07", thursday, "嘉宾改期到下周", "王芳"),
    ]


def test_a_reload_keeps_the_pages_changes_and_applies_the_files(q3, loaded, tmp_path):
    """Per field the newer change wins: the file's since the previous load, else the page's."""
    monday = date(2026, 8, 3)
    writes.edit_task(ZHAO, CYCLE, "T2", {"owner": "周敏", "status": "done"}, today=monday)
    writes.add_task(WANG, CYCLE, {"kr_id": "KR1.1", "title": "回放剪辑", "owner": "王芳", "helpers": [], "due": date(2026, 8, 14),
                                  "status": "todo", "link": None}, today=monday)
    doc = yaml.safe_load((FIXTURES / "okrs" / "okrs_2026-Q3.yaml").read_text(encoding="utf-8"))
    _, interviews = doc["tasks"]
    interviews["due"] = date(2026, 8, 20)  # the file moves the interviews; it still says 赵强 and doing
    doc["tasks"] = [interviews, {"kr": "KR1.2", "title": "知乎专栏开栏", "owner": "李娜", "status": "todo"}]  # webinar gone
    edited = tmp_path / "okrs_2026-Q3.yaml"
    edited.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert loaded("okrs", "load", edited).exit_code == 0

    found = stored_tasks(q3)
    assert sorted(found) == ["T2", "T3", "T4"]  # T1 removed; the new file task is T4, after the page's T3
    assert {k: found["T2"][k] for k in ("owner", "status", "due", "done_on")} == {
        "owner": "周敏", "status": "done", "due": date(2026, 8, 20), "done_on": monday}
    assert (found["T3"]["title"], found["T3"]["from_file"]) == ("回放剪辑", False)
    assert (found["T4"]["title"], found["T4"]["from_file"]) == ("知乎专栏开栏", True)
    by_load = [(c["task_id"], c["field"]) for c in changes(q3) if c["source"] == str(edited)]
    assert by_load == [("T1", "removed"), ("T2", "due"), ("T4", "created")]

    # loaded again unchanged: nothing moves, and the page's owner still stands
    assert loaded("okrs", "load", edited).exit_code == 0
    assert stored_tasks(q3) == found
    # once the file changes the owner itself, the file's newer word wins
    interviews["owner"] = "孙磊"
    edited.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert loaded("okrs", "load", edited).exit_code == 0
    assert stored_tasks(q3)["T2"]["owner"] == "孙磊"


def test_friday_celebration_by_hand(q3):
    """Week Mon 07-20..Sun 07-26 against the end of Sun 07-19:
    KR1.1 paid_search SQLs 7 (07-02, 06, 08, 10, 14, 15, 18) -> 10 (+ 07-21, 22, 25);
    KR1.2 zhihu followers 1250 (07-14) -> 1300 (07-21);
    KR1.3 cost per SQL: spend 1200.333 + 1000.333 + 1100.333 = 3300.999 over 8 SQLs (7 + email 07-12)
      = 412.624875 -> 4400.0 over 11 = 400.0: down, toward 300;
    KR2.1 events SQLs 0 -> 0: not moved; KR2.2 manual, check-in values 3 (07-06) -> 5 (07-20).
    Confidence that rose: none that week (KR1.3's first check-in has nothing before it; KR2.2 6 -> 6);
    in the week of 07-27, KR2.2 6 -> 7 on 07-30; in the week of 07-06, KR1.1 5 (set in the file) -> 7.
    Tasks done: T1 arrived done, due 07-31: the week of 07-27."""
    with reader(q3) as con:
        moved = okr_week.progress(evaluate(con, CYCLE, date(2026, 7, 19)), evaluate(con, CYCLE, date(2026, 7, 26)))
        checkins = drift(con, CYCLE, date(2026, 9, 30))
        all_tasks = tasks(con, CYCLE)
    assert [(r["kr_id"], r["before"], r["after"]) for r in moved if r["forward"]] == [
        ("KR1.1", 7, 10), ("KR1.2", 1250, 1300), ("KR1.3", pytest.approx(412.6249, abs=1e-4), 400.0), ("KR2.2", 3, 5)]
    assert [(r["kr_id"], r["change"]) for r in moved if not r["forward"]] == [("KR2.1", 0)]
    rose = {week: [(c["kr_id"], c["date"], c["confidence"]) for c in okr_week.confidence_rose(checkins, week, week + timedelta(days=6))]
            for week in (date(2026, 7, 6), date(2026, 7, 20), date(2026, 7, 27))}
    assert rose == {date(2026, 7, 6): [("KR1.1", date(2026, 7, 6), 7)], date(2026, 7, 20): [],
                    date(2026, 7, 27): [("KR2.2", date(2026, 7, 30), 7)]}
    assert [t["task_id"] for t in okr_week.done_between(all_tasks, date(2026, 7, 27), date(2026, 8, 2))] == ["T1"]
    assert okr_week.done_between(all_tasks, date(2026, 7, 20), date(2026, 7, 26)) == []


def test_monthly_review_by_hand(q3):
    """July: check-ins KR1.1 7, 4, 4 (before: 5 set in the file), KR2.2 6, 6, 7 (nothing before the
    first). Tasks due in July: T1 (done); August: T2 (doing)."""
    with reader(q3) as con:
        checkins = drift(con, CYCLE, date(2026, 7, 31))
        all_tasks = tasks(con, CYCLE)
    july = {c["kr_id"]: c for c in okr_week.confidence_changes(checkins, date(2026, 7, 1), date(2026, 7, 31))}
    assert {k: (c["before"], c["after"], c["change"], c["checkins"], c["drops"]) for k, c in july.items()} == {
        "KR1.1": (5, 4, -1, 3, 1), "KR1.2": (None, 8, None, 1, 0), "KR1.3": (None, 3, None, 1, 0),
        "KR2.1": (None, 8, None, 1, 0), "KR2.2": (None, 7, None, 3, 0)}
    assert okr_week.task_completion(all_tasks, date(2026, 7, 1), date(2026, 7, 31)) == {"due": 1, "done": 1, "open": []}
    august = okr_week.task_completion(all_tasks, date(2026, 8, 1), date(2026, 8, 31))
    assert (august["due"], august["done"], [t["task_id"] for t in august["open"]]) == (1, 0, ["T2"])


def test_a_warehouse_without_0007_is_migrated_with_its_tasks(tmp_path):
    """Built while 0008 had landed and 0007 not yet: readers refuse it (naming the gap) instead of
    failing on a missing column; the next writer applies 0007 and the tasks get ids in file order."""
    from pipelines.warehouse import _migrations, marts, writer

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
        for version, name, sql in _migrations():
            if version != 7:
                con.execute(sql)
                con.execute("INSERT INTO schema_migration VALUES (?, ?, now())", [version, name])
        for mart in marts():
            con.execute(mart.read_text(encoding="utf-8"))
        con.execute("INSERT INTO okr_cycle VALUES ('2026-Q3', '2026-07-01', '2026-09-30', NULL, now(), 'okrs.yaml')")
        con.execute("""INSERT INTO key_task VALUES ('2026-Q3', 'KR1.1', '上线网络研讨会系列', '王芳', ['李娜'], '2026-07-31', 'done', NULL, 0),
                                                   ('2026-Q3', 'KR2.2', '采访 5 家客户', '赵强', [], NULL, 'doing', NULL, 1)""")
    latest = max(v for v, _, _ in _migrations())
    with pytest.raises(WarehouseError, match=f"the warehouse has schema {latest} without 7, this okrfunnel needs {latest}"), reader(db):
        pass
    with writer(db):
        pass
    with reader(db) as con:
        assert [(t["task_id"], t["title"], t["done_on"], t["from_file"]) for t in tasks(con, CYCLE)] == [
            ("T1", "上线网络研讨会系列", date(2026, 7, 31), True), ("T2", "采访 5 家客户", None, True)]


def test_a_task_without_owner_is_the_krs_owners_and_a_due_day_stays_in_the_cycle(q3):
    """From the second review: a task added without owner could be edited by nobody; one due after
    the cycle showed in none of its weeks. KR1.1's owner in fixtures/okrs is 王芳; Q3 ends 09-30."""
    monday = date(2026, 8, 3)
    new = {"kr_id": "KR1.1", "title": "复盘会", "owner": "", "helpers": [], "due": date(2026, 8, 14), "status": "todo", "link": None}
    assert writes.add_task(WANG, CYCLE, new, today=monday) == "T3"
    assert stored_tasks(q3)["T3"]["owner"] == "王芳"
    before = sha(q3)
    with pytest.raises(ConfigError) as refused:
        writes.add_task(WANG, CYCLE, {**new, "due": date(2026, 10, 15)}, today=monday)
    assert (refused.value.column, refused.value.expected) == ("due", "a day from 2026-07-01 to 2026-09-30")
    with pytest.raises(AccessDenied):  # an ownerless task on another's KR is that KR owner's: not 李娜's to add
        writes.add_task(LI, CYCLE, new, today=monday)
    assert sha(q3) == before


def test_a_check_in_cannot_be_dated_after_today(q3):
    before = sha(q3)
    with pytest.raises(ConfigError) as refused:
        writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 10), 9, None, today=date(2026, 8, 3))
    assert (refused.value.column, refused.value.expected) == ("date", "2026-08-03 or earlier")
    assert sha(q3) == before
    writes.check_in(WANG, CYCLE, "KR1.1", date(2026, 8, 3), 9, None, today=date(2026, 8, 3))
    assert sha(q3) != before


def test_the_monthly_review_lists_krs_nobody_checked_in_on():
    august = (date(2026, 8, 1), date(2026, 8, 31))
    checkins = [
        {"kr_id": "KR1.1", "date": date(2026, 7, 27), "confidence": 4, "change_prev": 0, "flags": ""},
        {"kr_id": "KR1.1", "date": date(2026, 8, 3), "confidence": 7, "change_prev": 3, "flags": ""},
        {"kr_id": "KR1.2", "date": date(2026, 7, 13), "confidence": 6, "change_prev": None, "flags": ""},
    ]
    assert okr_week.confidence_changes(checkins, *august, ("KR1.1", "KR1.2", "KR2.1")) == [
        {"kr_id": "KR1.1", "checkins": 1, "drops": 0, "before": 4, "after": 7, "change": 3},
        {"kr_id": "KR1.2", "checkins": 0, "drops": 0, "before": 6, "after": 6, "change": None},  # silent since July
        {"kr_id": "KR2.1", "checkins": 0, "drops": 0, "before": None, "after": None, "change": None},  # never
    ]
