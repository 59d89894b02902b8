"""The method's weekly and monthly rituals (PRODUCT.md glossary): the Monday plan and its
Wednesday rule, the Friday celebration, the monthly review. Pure functions over the rows that
``okr_store`` (tasks, their changes), ``okr_eval`` (KRs as of a day) and ``okr_confidence``
(check-ins with their change) give, so the Week page and the tests share one definition.

Weeks run Monday to Sunday. A task belongs to the week of its due day.
"""

from __future__ import annotations

from datetime import date, timedelta

PLAN_FIELDS = ("kr_id", "title", "owner", "helpers", "due")  # what the Monday meeting agreed on
PROGRESS_FIELDS = ("status", "link")  # reported all week long: the celebration needs them, so never locked
TASK_FIELDS = PLAN_FIELDS + PROGRESS_FIELDS
WEDNESDAY = 2


def monday(day: date) -> date:
    """
    >>> monday(date(2026, 11, 26)), monday(date(2026, 11, 23))
    (datetime.date(2026, 11, 23), datetime.date(2026, 11, 23))
    """
    return day - timedelta(days=day.weekday())


def weeks(start: date, end: date) -> list[date]:
    """The Mondays of the weeks that overlap ``start``..``end`` (a cycle may start mid-week)."""
    out, day = [], monday(start)
    while day <= end:
        out.append(day)
        day += timedelta(days=7)
    return out


def months(start: date, end: date) -> list[date]:
    """The first days of the months that overlap ``start``..``end``.

    >>> months(date(2026, 10, 1), date(2026, 12, 31))
    [datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)]
    """
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def plan_locked(due: date | None, today: date) -> bool:
    """Whether the week holding ``due`` is past its Wednesday on ``today``: the article lets a
    week's plan change until Wednesday, after that only for a stated reason.

    >>> plan_locked(date(2026, 11, 27), date(2026, 11, 25)), plan_locked(date(2026, 11, 27), date(2026, 11, 26))
    (False, True)
    >>> plan_locked(date(2026, 12, 4), date(2026, 11, 26)), plan_locked(None, date(2026, 11, 26))
    (False, False)
    """
    return due is not None and today > monday(due) + timedelta(days=WEDNESDAY)


def needs_reason(before: dict | None, after: dict | None, today: date) -> bool:
    """A change of plan (adding a task, removing one, or changing a plan field) made after the
    Wednesday of the week the task was due in or is moved into. Status and link are progress."""
    if before is not None and after is not None and all(before[f] == after[f] for f in PLAN_FIELDS):
        return False
    return any(plan_locked(task["due"], today) for task in (before, after) if task is not None)


def week_plan(tasks: list[dict], week: date) -> list[dict]:
    """The week's tasks: those due in it, and, carried over, those due earlier and not done yet."""
    end = week + timedelta(days=6)
    return [t for t in tasks if t["due"] is not None and (week <= t["due"] <= end or (t["due"] < week and t["status"] != "done"))]


def start_value(kr: dict) -> float:
    """A KR's value before its cycle has any: nothing counted yet for a total, the baseline else."""
    return kr["baseline"] if kr["kind"] != "total" and kr["baseline"] is not None else 0.0


def progress(before: list[dict] | None, after: list[dict]) -> list[dict]:
    """Each KR's value at two days (``okrfunnel krs`` rows), and whether it moved toward its target.
    ``before`` None means the cycle's start (every KR at its start value)."""
    earlier = {r["kr_id"]: r for r in before or []}
    rows = []
    for kr in after:
        then = earlier.get(kr["kr_id"], {}).get("actual")
        then = start_value(kr) if then is None else then
        now = kr["actual"]
        change = None if now is None else now - then
        direction = 1 if kr["target"] >= start_value(kr) else -1
        rows.append({
            "kr_id": kr["kr_id"], "kr": kr["kr"], "owner": kr["owner"], "metric": kr["metric"], "before": then,
            "after": now, "change": change, "attainment": kr["attainment"], "status": kr["status"],
            "forward": change is not None and change * direction > 0,
        })
    return rows


def confidence_rose(checkins: list[dict], first: date, last: date) -> list[dict]:
    """Check-ins (``okrfunnel confidence`` rows) made from ``first`` to ``last`` that rose."""
    return [c for c in checkins if first <= c["date"] <= last and c["change_prev"] is not None and c["change_prev"] > 0]


def done_between(tasks: list[dict], first: date, last: date) -> list[dict]:
    return [t for t in tasks if t["status"] == "done" and t["done_on"] is not None and first <= t["done_on"] <= last]


def confidence_changes(checkins: list[dict], first: date, last: date, kr_ids: tuple[str, ...] = ()) -> list[dict]:
    """Per KR with check-ins from ``first`` to ``last``: confidence before them (the previous
    check-in, else the one set in the file), after them, the change, and how many fell 2+ points.
    Each of ``kr_ids`` without a check-in then is listed too, with 0 check-ins and its confidence
    as it stood: the KR nobody checked in on is the one a monthly review must see."""
    rows: dict[str, dict] = {}
    for c in checkins:
        if not first <= c["date"] <= last:
            continue
        row = rows.setdefault(c["kr_id"], {
            "kr_id": c["kr_id"], "checkins": 0, "drops": 0,
            "before": None if c["change_prev"] is None else c["confidence"] - c["change_prev"],
        })
        row["after"] = c["confidence"]
        row["checkins"] += 1
        row["drops"] += c["flags"] == "drop"
    for row in rows.values():
        row["change"] = None if row["before"] is None else row["after"] - row["before"]
    for kr_id in kr_ids:
        if kr_id not in rows:
            earlier = [c["confidence"] for c in checkins if c["kr_id"] == kr_id and c["date"] < first]
            standing = earlier[-1] if earlier else None
            rows[kr_id] = {"kr_id": kr_id, "checkins": 0, "drops": 0, "before": standing, "after": standing, "change": None}
    return list(rows.values())


def task_completion(tasks: list[dict], first: date, last: date) -> dict:
    """Tasks due from ``first`` to ``last``: how many, how many done, and the ones still open."""
    due = [t for t in tasks if t["due"] is not None and first <= t["due"] <= last]
    done = [t for t in due if t["status"] == "done"]
    return {"due": len(due), "done": len(done), "open": [t for t in due if t["status"] != "done"]}
