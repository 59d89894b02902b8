"""The week's rituals (the article's 规划会, 庆功会 and 月度复盘): the Monday plan of key tasks,
the Friday celebration, the check-in form, and the monthly review. Every write goes through
``dashboard.writes``, which checks the role; forms are shown only to those who may use them."""

import re
from datetime import date, timedelta

import streamlit as st

from dashboard import auth, data, week_tables, writes
from dashboard.common import mine, owner_krs, require_cycle
from dashboard.format import day, percent, short_day
from dashboard.i18n import catalogue, language, t
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


def refused(exc: OkrfunnelError) -> None:
    """A refused write: the field's own sentence in the chosen language where there is one."""
    key = f"week.problem_{exc.column}"
    if isinstance(exc, auth.AccessDenied):
        st.error(t("week.not_yours"))
    elif key in catalogue(lang):
        st.error(t(key, max=NOTE_MAX_CHARS if exc.column == "note" else TEXT_MAX_CHARS))
    else:
        st.error(exc.one_line())


def choice(label: str, options: list, labels: dict, name: str, default):
    """A selectbox whose choice, kept under ``name``, survives a language switch. The browser keeps
    a widget's option labels, so each language gets its own widget (as the sidebar's owner box);
    the labels are made now, as Streamlit may format options outside the run."""
    if st.session_state.get(name) not in options:
        st.session_state[name] = default
    box = f"{name}_{lang}"
    st.session_state[box] = st.session_state[name]
    st.selectbox(label, options, key=box, format_func=labels.get,
                 on_change=lambda: st.session_state.update({name: st.session_state[box]}))
    return st.session_state[name]


def saved(message: str) -> None:
    """Shown after the rerun that draws the page from the new warehouse file."""
    st.session_state["week_saved"] = message
    st.rerun()


st.title(t("week.title", cycle=selection.cycle))
mondays = okr_week.weeks(cycle["start"], cycle["end"])
week = choice(t("week.week"), mondays, {m: week_label(m) for m in mondays}, f"week_{selection.cycle}",
              okr_week.monday(min(max(today, cycle["start"]), cycle["end"])))
week_end = week + timedelta(days=6)
if "week_saved" in st.session_state:
    st.success(st.session_state.pop("week_saved"))

all_tasks = [task for task in data.tasks(selection.key, selection.cycle) if task["kr_id"] in by_id]
shown_ids = {x["task_id"] for x in all_tasks}
task_history = data.task_changes(selection.key, selection.cycle)
plan_tab, celebration_tab, checkin_tab, month_tab = st.tabs(
    [t("week.plan"), t("week.celebration"), t("week.checkin"), t("week.month")])


def task_fields(prefix: str, start: dict) -> dict:
    """The editable fields of a task, filled with ``start``."""
    title = st.text_input(t("week.col_task"), start["title"], max_chars=TEXT_MAX_CHARS, key=f"{prefix}_title")
    left, right = st.columns(2)
    owner = left.text_input(t("week.owner"), start["owner"] or "", key=f"{prefix}_owner")
    helpers = right.text_input(t("week.helpers"), "、".join(start["helpers"]), help=t("week.helpers_help"), key=f"{prefix}_helpers")
    due = left.date_input(t("week.col_due"), start["due"], key=f"{prefix}_due")
    status = right.selectbox(t("week.col_status"), TASK_STATUSES, TASK_STATUSES.index(start["status"]),
                             format_func={s: t(f"task_status.{s}") for s in TASK_STATUSES}.get, key=f"{prefix}_status")
    link = st.text_input(t("week.col_link"), start["link"] or "", help=t("week.link_help"), key=f"{prefix}_link")
    return {"title": title, "owner": owner, "helpers": HELPER_SEPARATORS.split(helpers), "due": due, "status": status,
            "link": link}


def reason_field(prefix: str) -> str:
    return st.text_input(t("week.reason"), max_chars=TEXT_MAX_CHARS, help=t("week.reason_help"), key=f"{prefix}_reason")


with plan_tab:
    planned = okr_week.week_plan(all_tasks, week)
    wednesday = when(week + timedelta(days=okr_week.WEDNESDAY))
    st.caption(t("week.plan_locked" if okr_week.plan_locked(week, today) else "week.plan_open", wednesday=wednesday))
    if planned:
        order = list(by_id)
        planned.sort(key=lambda x: (order.index(x["kr_id"]), x["due"]))
        st.dataframe(week_tables.tasks(planned, week, lang, year), hide_index=True, key="week-plan",
                     column_config=week_tables.task_columns())
    else:
        st.info(t("week.no_tasks"))
    if cycle["closed"]:
        st.info(t("week.closed", cycle=selection.cycle))
    elif user.can("member"):
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
                    fields = task_fields(f"edit_{chosen}_r{revision}_{lang}", current)
                    reason = reason_field(f"edit_{chosen}_r{revision}_{lang}")
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
                fields = task_fields(f"add_{week}_{added}_{lang}", {"title": "", "owner": user.name, "helpers": [], "status": "todo",
                                                             "link": None, "due": min(week + timedelta(days=4), cycle["end"])})
                reason = reason_field(f"add_{week}_{added}_{lang}")
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
               if (c["task_id"] in in_plan or (week <= c["change_date"] <= week_end and c["task_id"] in shown_ids))
               and not (c["field"] == "created" and c["source"] != DASHBOARD)]
    with st.expander(t("week.history", count=len(changes))):
        if changes:
            frame, columns = week_tables.task_changes(changes, lang, year)
            st.dataframe(frame, hide_index=True, key="week-history", column_config=columns)
        else:
            st.caption(t("week.no_changes"))


def krs_between(first: date, last: date) -> list[dict]:
    """Each KR's value from the day before ``first`` (the cycle's start values in its first days)
    to ``last``, as ``okrfunnel krs`` has them on those days. A span still running ends at the
    data's last day: judged on a later day, every KR would look behind its expected share."""
    if selection.as_of is not None:
        last = max(min(last, selection.as_of), first)
    before = None if first <= cycle["start"] else mine(data.key_results(selection.key, selection.cycle, first - timedelta(days=1)), selection)
    after = mine(data.key_results(selection.key, selection.cycle, last), selection)
    return okr_week.progress(before, after)


with celebration_tab:
    last = min(week_end, cycle["end"])
    drift = [d for d in data.drift(selection.key, selection.cycle, last) if d["kr_id"] in by_id] if last >= cycle["start"] else []
    done = okr_week.done_between(all_tasks, week, week_end)
    moved = [r for r in krs_between(max(week, cycle["start"]), last) if r["forward"]]
    rose = okr_week.confidence_rose(drift, week, week_end)
    if selection.as_of is not None and selection.as_of < week:  # say so, rather than cheer for zeros
        st.info(t("week.no_data_this_week", day=day(selection.as_of, lang)))
    st.markdown(t("week.cheer", done=len(done), moved=len(moved), rose=len(rose)))
    st.subheader(t("week.done"))
    if done:
        st.dataframe(week_tables.done_tasks(done, lang, year), hide_index=True, key="week-done",
                     column_config=week_tables.task_columns())
    else:
        st.caption(t("week.none_done"))
    st.subheader(t("week.moved"))
    if moved:
        frame, columns = week_tables.progress(moved, selection.currency, lang)
        st.dataframe(frame, hide_index=True, key="week-moved", column_config=columns)
    else:
        st.caption(t("week.none_moved"))
    st.subheader(t("week.rose"))
    if rose:
        frame, columns = week_tables.checkins(rose, lang, year)
        st.dataframe(frame, hide_index=True, key="week-rose", column_config=columns)
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
        kr_id = st.selectbox(t("week.kr"), [r["kr_id"] for r in yours], format_func=kr_label, key="checkin_kr")
        earlier = [d for d in data.drift(selection.key, selection.cycle, cycle["end"]) if d["kr_id"] == kr_id]
        st.caption(t("week.last_checkin", confidence=earlier[-1]["confidence"], day=when(earlier[-1]["date"]))
                   if earlier else t("week.no_checkin_yet"))
        with st.form("week_checkin"):
            # The day the team meets: today within the chosen week, else its Monday (within the cycle).
            default_day = today if week <= today <= week_end else week
            latest = min(cycle["end"], max(today, cycle["start"]))  # no later than today, within the cycle
            checkin_day = st.date_input(t("week.col_date"), min(max(default_day, cycle["start"]), latest),
                                        min_value=cycle["start"], max_value=latest, key=f"checkin_day_{week}")
            confidence = st.number_input(t("column.confidence"), value=None, step=1.0, format="%g",
                                         placeholder="1-10", help=t("week.confidence_help"), key="checkin_confidence")
            note = st.text_area(t("week.note"), max_chars=NOTE_MAX_CHARS, key="checkin_note")
            if st.form_submit_button(t("week.check_in")):
                try:
                    writes.check_in(user, selection.cycle, kr_id, checkin_day, confidence, note)
                except OkrfunnelError as exc:
                    refused(exc)
                else:
                    saved(t("week.checked_in", kr=kr_id, confidence=f"{confidence:g}", day=when(checkin_day)))
        st.caption(t("week.checkin_rule"))

with month_tab:
    months = okr_week.months(cycle["start"], cycle["end"])
    month = choice(t("week.month_of"), months, {m: t("week.month_label", year=m.year, month=m.month) for m in months},
                   f"month_{selection.cycle}", max(week, cycle["start"]).replace(day=1))
    first = max(month, cycle["start"])
    last = min(okr_week.month_end(month), cycle["end"])
    st.subheader(t("week.month_krs"))
    frame, columns = week_tables.progress(krs_between(first, last), selection.currency, lang)
    st.dataframe(frame, hide_index=True, key="month-krs", column_config=columns)
    st.subheader(t("week.month_confidence"))
    moves = okr_week.confidence_changes([d for d in data.drift(selection.key, selection.cycle, last) if d["kr_id"] in by_id],
                                        first, last, tuple(by_id))
    if moves:
        frame, columns = week_tables.confidence_changes(moves)
        st.dataframe(frame, hide_index=True, key="month-confidence", column_config=columns)
    else:
        st.caption(t("week.no_month_checkins"))
    st.subheader(t("week.month_tasks"))
    completion = okr_week.task_completion(all_tasks, first, last)
    tiles = st.columns(3)
    tiles[0].metric(t("week.tasks_due"), completion["due"])
    tiles[1].metric(t("week.tasks_done"), completion["done"])
    tiles[2].metric(t("week.tasks_rate"), percent(completion["done"] / completion["due"]) if completion["due"] else "–")
    if completion["open"]:
        st.dataframe(week_tables.tasks(completion["open"], first, lang, year), hide_index=True, key="month-open",
                     column_config=week_tables.task_columns())
    st.subheader(t("week.month_revisions"))
    revised = [r for r in data.revisions(selection.key, selection.cycle) if first <= r["revision_date"] <= last and r["kr_id"] in by_id]
    if revised:
        frame, columns = week_tables.revisions(revised, {k: r["metric"] for k, r in by_id.items()}, selection.currency, lang, year)
        st.dataframe(frame, hide_index=True, key="month-revisions", column_config=columns)
    else:
        st.caption(t("week.no_revisions"))
    replanned = [c for c in task_history if c["reason"] and first <= c["change_date"] <= last and c["task_id"] in shown_ids]
    if replanned:
        st.markdown(t("week.month_replanned"))
        for c in replanned:
            field = t(f"week.field_{c['field']}")
            st.markdown(f"- {when(c['change_date'])} · {c['task_id']} · {field}: {c['reason']}")
