"""The week's rituals (the article's 规划会, 庆功会 and 月度复盘): the Monday plan of key tasks,
the Friday celebration, the check-in form, and the monthly review. Every write goes through
``dashboard.writes``, which checks the role; forms are shown only to those who may use them."""

import re
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard import auth, data, writes
from dashboard.common import mine, owner_krs, require_cycle
from dashboard.format import change, metric_value, percent, short_day
from dashboard.i18n import catalogue, language, t
from dashboard.tables import confidence_text, status_text
from pipelines import okr_week
from pipelines.errors import OkrfunnelError
from pipelines.okr_file import TASK_STATUSES
from pipelines.okr_store import DASHBOARD, NOTE_MAX_CHARS, TEXT_MAX_CHARS

HELPER_SEPARATORS = re.compile(r"[,，、;；]")  # as Chinese and English teams type lists

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
user = auth.current_user()
cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
year = cycle["start"].year
krs = owner_krs(selection)
by_id = {r["kr_id"]: r for r in krs}
today = date.today()


def when(value) -> str:
    return short_day(value, lang, year)


def week_label(first: date) -> str:
    return t("week.week_label", number=first.isocalendar().week, first=when(first), last=when(first + timedelta(days=6)))


def kr_label(kr_id: str) -> str:
    return f"{kr_id} · {by_id[kr_id]['kr']}"


def people(task: dict) -> str:
    return " + ".join(filter(None, [task["owner"], *task["helpers"]])) or "–"


def refused(exc: OkrfunnelError) -> None:
    """A refused write: the field's own sentence in the chosen language where there is one."""
    key = f"week.problem_{exc.column}"
    if isinstance(exc, auth.AccessDenied):
        st.error(t("week.not_yours", reason=exc.one_line()))
    elif key in catalogue(lang):
        st.error(t(key, max=NOTE_MAX_CHARS if exc.column == "note" else TEXT_MAX_CHARS))
    else:
        st.error(exc.one_line())


def saved(message: str) -> None:
    """Shown after the rerun that draws the page from the new warehouse file."""
    st.session_state["week_saved"] = message
    st.rerun()


st.title(t("week.title", cycle=selection.cycle))
mondays = okr_week.weeks(cycle["start"], cycle["end"])
box = f"week_{selection.cycle}"
if st.session_state.get(box) not in mondays:
    st.session_state[box] = okr_week.monday(min(max(today, cycle["start"]), cycle["end"]))
week = st.selectbox(t("week.week"), mondays, key=box, format_func=week_label)
week_end = week + timedelta(days=6)
if "week_saved" in st.session_state:
    st.success(st.session_state.pop("week_saved"))

all_tasks = [task for task in data.tasks(selection.key, selection.cycle) if task["kr_id"] in by_id]
task_history = data.task_changes(selection.key, selection.cycle)
plan_tab, celebration_tab, checkin_tab, month_tab = st.tabs(
    [t("week.plan"), t("week.celebration"), t("week.checkin"), t("week.month")])


def task_frame(tasks: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "kr_id": x["kr_id"], "task_id": x["task_id"], "title": x["title"], "people": people(x), "due": when(x["due"]),
        "status": t(f"task_status.{x['status']}") + (f" · {t('week.carried')}" if x["due"] < week and x["status"] != "done" else ""),
        "link": x["link"],
    } for x in tasks], columns=["kr_id", "task_id", "title", "people", "due", "status", "link"])


TASK_COLUMNS = {
    "kr_id": st.column_config.TextColumn("KR", width=56), "task_id": st.column_config.TextColumn("ID", width=48),
    "title": st.column_config.TextColumn(t("week.col_task"), width="large"),
    "people": st.column_config.TextColumn(t("week.col_people"), help=t("week.col_people_help")),
    "due": st.column_config.TextColumn(t("week.col_due"), width=80),
    "status": st.column_config.TextColumn(t("week.col_status"), width=110),
    "link": st.column_config.LinkColumn(t("week.col_link"), width=64, display_text=t("week.open_link")),
}


def task_fields(prefix: str, start: dict) -> dict:
    """The editable fields of a task, filled with ``start``."""
    title = st.text_input(t("week.col_task"), start["title"], max_chars=TEXT_MAX_CHARS, key=f"{prefix}_title")
    left, right = st.columns(2)
    owner = left.text_input(t("week.owner"), start["owner"] or "", key=f"{prefix}_owner")
    helpers = right.text_input(t("week.helpers"), "、".join(start["helpers"]), help=t("week.helpers_help"), key=f"{prefix}_helpers")
    due = left.date_input(t("week.col_due"), start["due"], key=f"{prefix}_due")
    status = right.selectbox(t("week.col_status"), TASK_STATUSES, TASK_STATUSES.index(start["status"]),
                             format_func=lambda s: t(f"task_status.{s}"), key=f"{prefix}_status")
    link = st.text_input(t("week.col_link"), start["link"] or "", help=t("week.link_help"), key=f"{prefix}_link")
    return {"title": title, "owner": owner, "helpers": HELPER_SEPARATORS.split(helpers), "due": due, "status": status,
            "link": link}


def change_text(field: str, value) -> str:
    """A task's field as the history stores it (JSON), as the page shows it."""
    if value is None:
        return ""
    if field in ("created", "removed"):
        return value["title"]
    if field == "helpers":
        return "、".join(value)
    if field == "status":
        return t(f"task_status.{value}")
    if field == "due":
        return when(date.fromisoformat(value))
    return str(value)


def reason_field(prefix: str) -> str:
    return st.text_input(t("week.reason"), max_chars=TEXT_MAX_CHARS, help=t("week.reason_help"), key=f"{prefix}_reason")


with plan_tab:
    planned = okr_week.week_plan(all_tasks, week)
    wednesday = when(week + timedelta(days=okr_week.WEDNESDAY))
    st.caption(t("week.plan_locked" if okr_week.plan_locked(week, today) else "week.plan_open", wednesday=wednesday))
    if planned:
        order = list(by_id)
        planned.sort(key=lambda x: (order.index(x["kr_id"]), x["due"]))
        st.dataframe(task_frame(planned), hide_index=True, key="week-plan", column_config=TASK_COLUMNS)
    else:
        st.info(t("week.no_tasks"))
    if user.can("member"):
        editable = [x for x in planned if user.can("admin") or user.is_one_of(x["owner"], *x["helpers"])]
        with st.expander(t("week.edit_task"), expanded=bool(editable)):
            if editable:
                ids = [x["task_id"] for x in editable]
                chosen = st.selectbox(t("week.task"), ids, key="week_edit_task",
                                      format_func=lambda i: f"{i} · {next(x['title'] for x in editable if x['task_id'] == i)}")
                current = next(x for x in editable if x["task_id"] == chosen)
                # Keyed by the task's number of changes: once anyone changes it, the form starts
                # from the new values instead of sending back what this browser saw before.
                revision = sum(1 for c in task_history if c["task_id"] == chosen)
                with st.form(f"week_edit_{chosen}_r{revision}"):
                    fields = task_fields(f"edit_{chosen}_r{revision}", current)
                    reason = reason_field(f"edit_{chosen}_r{revision}")
                    if st.form_submit_button(t("week.save_task")):
                        try:
                            changed = writes.edit_task(user, selection.cycle, chosen, fields, reason)
                        except OkrfunnelError as exc:
                            refused(exc)
                        else:
                            saved(t("week.task_saved", task=chosen) if changed else t("week.task_unchanged", task=chosen))
            else:
                st.caption(t("week.no_tasks_of_yours"))
        with st.expander(t("week.add_task")):
            # A new form (empty, due on the week's Friday) for each week and after each task added.
            added = st.session_state.get("week_added", 0)
            with st.form(f"week_add_{week}_{added}"):
                kr_id = st.selectbox(t("week.kr"), list(by_id), format_func=kr_label, key="add_kr")
                fields = task_fields(f"add_{week}_{added}", {"title": "", "owner": user.name, "helpers": [], "status": "todo",
                                                             "link": None, "due": min(week + timedelta(days=4), cycle["end"])})
                reason = reason_field(f"add_{week}_{added}")
                if st.form_submit_button(t("week.add")):
                    try:
                        task_id = writes.add_task(user, selection.cycle, {"kr_id": kr_id, **fields}, reason)
                    except OkrfunnelError as exc:
                        refused(exc)
                    else:
                        st.session_state["week_added"] = added + 1
                        saved(t("week.task_added", task=task_id))
    # What changed during the week, and whenever it was, what changed the tasks of its plan; a
    # load creating the file's tasks is no news.
    in_plan = {x["task_id"] for x in planned}
    changes = [c for c in task_history
               if (c["task_id"] in in_plan or (week <= c["change_date"] <= week_end and c["task_id"] in {x["task_id"] for x in all_tasks}))
               and not (c["field"] == "created" and c["source"] != DASHBOARD)]
    with st.expander(t("week.history", count=len(changes))):
        if changes:
            st.dataframe(pd.DataFrame([{
                "date": when(c["change_date"]), "task_id": c["task_id"], "field": t(f"week.field_{c['field']}"),
                "old": change_text(c["field"], c["old_value"]), "new": change_text(c["field"], c["new_value"]),
                "by": c["changed_by"] or "", "reason": c["reason"] or "",
            } for c in changes]), hide_index=True, key="week-history", column_config={
                "date": t("week.col_date"), "task_id": "ID", "field": t("week.col_field"), "old": t("week.col_old"),
                "new": t("week.col_new"), "by": t("week.col_by"), "reason": t("week.reason")})
        else:
            st.caption(t("week.no_changes"))


def value(kr_id: str, number: float | None) -> str:
    return metric_value(by_id[kr_id]["metric"], number, selection.currency, lang)


def krs_between(first: date, last: date) -> list[dict]:
    """Each KR's value from the day before ``first`` (the cycle's start values in its first days)
    to ``last``, as ``okrfunnel krs`` has them on those days."""
    before = None if first <= cycle["start"] else mine(data.key_results(selection.key, selection.cycle, first - timedelta(days=1)), selection)
    after = mine(data.key_results(selection.key, selection.cycle, last), selection)
    return okr_week.progress(before, after)


def signed(points: int | None) -> str:
    return "–" if points is None else f"{points:+d}" if points else "0"


def progress_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "kr_id": r["kr_id"], "kr": r["kr"], "before": value(r["kr_id"], r["before"]), "after": value(r["kr_id"], r["after"]),
        "change": change(by_id[r["kr_id"]]["metric"], r["change"], selection.currency, lang),
        "attainment": percent(r["attainment"]), "status": status_text(r["status"]),
    } for r in rows], columns=["kr_id", "kr", "before", "after", "change", "attainment", "status"])


PROGRESS_COLUMNS = {
    "kr_id": st.column_config.TextColumn("KR", width=56), "kr": st.column_config.TextColumn(t("week.kr"), width="medium"),
    "before": t("week.col_before"), "after": t("week.col_after"), "change": t("week.col_change"),
    "attainment": t("column.attainment"), "status": t("column.status"),
}


def checkin_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "kr_id": r["kr_id"], "date": when(r["date"]), "confidence": confidence_text(r["confidence"]),
        "change": signed(r["change_prev"]), "note": r["note"] or "",
    } for r in rows], columns=["kr_id", "date", "confidence", "change", "note"])


with celebration_tab:
    last = min(week_end, cycle["end"])
    drift = [d for d in data.drift(selection.key, selection.cycle, last) if d["kr_id"] in by_id] if last >= cycle["start"] else []
    done = okr_week.done_between(all_tasks, week, week_end)
    moved = [r for r in krs_between(max(week, cycle["start"]), last) if r["forward"]]
    rose = okr_week.confidence_rose(drift, week, week_end)
    st.markdown(t("week.cheer", done=len(done), moved=len(moved), rose=len(rose)))
    st.subheader(t("week.done"))
    if done:
        st.dataframe(pd.DataFrame([{"kr_id": x["kr_id"], "task_id": x["task_id"], "title": x["title"], "people": people(x),
                                    "done_on": when(x["done_on"]), "link": x["link"]} for x in done]),
                     hide_index=True, key="week-done", column_config={**TASK_COLUMNS, "done_on": t("week.col_done_on")})
    else:
        st.caption(t("week.none_done"))
    st.subheader(t("week.moved"))
    if moved:
        st.dataframe(progress_frame(moved), hide_index=True, key="week-moved", column_config=PROGRESS_COLUMNS)
    else:
        st.caption(t("week.none_moved"))
    st.subheader(t("week.rose"))
    if rose:
        st.dataframe(checkin_frame(rose), hide_index=True, key="week-rose", column_config={
            "kr_id": "KR", "date": t("week.col_date"), "confidence": t("column.confidence"), "change": t("week.col_change"),
            "note": st.column_config.TextColumn(t("week.note"), width="large")})
    else:
        st.caption(t("week.none_rose"))

with checkin_tab:
    yours = [r for r in krs if user.can("admin") or user.is_one_of(r["owner"])]
    if cycle["closed"]:
        st.info(t("week.closed", cycle=selection.cycle))
    elif not user.can("member"):
        st.info(t("week.read_only"))
    elif not yours:
        st.info(t("week.no_krs_of_yours"))
    else:
        with st.form("week_checkin"):
            kr_id = st.selectbox(t("week.kr"), [r["kr_id"] for r in yours], format_func=kr_label, key="checkin_kr")
            # The day the team meets: today within the chosen week, else its Monday (within the cycle).
            default_day = today if week <= today <= week_end else week
            day = st.date_input(t("week.col_date"), min(max(default_day, cycle["start"]), cycle["end"]),
                                min_value=cycle["start"], max_value=cycle["end"], key=f"checkin_day_{week}")
            confidence = st.number_input(t("column.confidence"), value=None, step=1.0, format="%g",
                                         placeholder="1-10", help=t("week.confidence_help"), key="checkin_confidence")
            note = st.text_area(t("week.note"), max_chars=NOTE_MAX_CHARS, key="checkin_note")
            if st.form_submit_button(t("week.check_in")):
                try:
                    writes.check_in(user, selection.cycle, kr_id, day, confidence, note)
                except OkrfunnelError as exc:
                    refused(exc)
                else:
                    saved(t("week.checked_in", kr=kr_id, confidence=f"{confidence:g}", day=when(day)))
        st.caption(t("week.checkin_rule"))

with month_tab:
    months = okr_week.months(cycle["start"], cycle["end"])
    month_box = f"month_{selection.cycle}"
    if st.session_state.get(month_box) not in months:
        st.session_state[month_box] = date(max(week, cycle["start"]).year, max(week, cycle["start"]).month, 1)
    month = st.selectbox(t("week.month_of"), months, key=month_box, format_func=lambda m: t("week.month_label", year=m.year, month=m.month))
    first = max(month, cycle["start"])
    last = min(okr_week.month_end(month), cycle["end"])
    st.subheader(t("week.month_krs"))
    st.dataframe(progress_frame(krs_between(first, last)), hide_index=True, key="month-krs", column_config=PROGRESS_COLUMNS)
    st.subheader(t("week.month_confidence"))
    changes = okr_week.confidence_changes([d for d in data.drift(selection.key, selection.cycle, last) if d["kr_id"] in by_id],
                                          first, last)
    if changes:
        st.dataframe(pd.DataFrame([{
            "kr_id": c["kr_id"], "before": confidence_text(c["before"]), "after": confidence_text(c["after"]),
            "change": signed(c["change"]), "checkins": c["checkins"], "drops": c["drops"],
        } for c in changes]), hide_index=True, key="month-confidence", column_config={
            "kr_id": "KR", "before": t("week.col_before"), "after": t("week.col_after"), "change": t("week.col_change"),
            "checkins": t("week.col_checkins"), "drops": t("week.col_drops")})
    else:
        st.caption(t("week.no_month_checkins"))
    st.subheader(t("week.month_tasks"))
    completion = okr_week.task_completion(all_tasks, first, last)
    tiles = st.columns(3)
    tiles[0].metric(t("week.tasks_due"), completion["due"])
    tiles[1].metric(t("week.tasks_done"), completion["done"])
    tiles[2].metric(t("week.tasks_rate"), percent(completion["done"] / completion["due"]) if completion["due"] else "–")
    if completion["open"]:
        st.dataframe(task_frame(completion["open"]), hide_index=True, key="month-open", column_config=TASK_COLUMNS)
    st.subheader(t("week.month_revisions"))
    revised = [r for r in data.revisions(selection.key, selection.cycle) if first <= r["revision_date"] <= last and r["kr_id"] in by_id]
    if revised:
        st.dataframe(pd.DataFrame([{
            "kr_id": r["kr_id"], "field": t(f"key_result.field_{r['field']}"), "old": value(r["kr_id"], r["old_value"]),
            "new": value(r["kr_id"], r["new_value"]), "date": when(r["revision_date"]), "approved_by": r["approved_by"] or "",
        } for r in revised]), hide_index=True, key="month-revisions", column_config={
            "kr_id": "KR", "field": t("week.col_field"), "old": t("week.col_old"), "new": t("week.col_new"),
            "date": t("week.col_date"), "approved_by": t("key_result.col_approved_by")})
    else:
        st.caption(t("week.no_revisions"))
    replanned = [c for c in task_history if c["reason"] and first <= c["change_date"] <= last
                 and c["task_id"] in {x["task_id"] for x in all_tasks}]
    if replanned:
        st.markdown(t("week.month_replanned"))
        for c in replanned:
            field = t(f"week.field_{c['field']}")
            st.markdown(f"- {when(c['change_date'])} · {c['task_id']} · {field}: {c['reason']}")
