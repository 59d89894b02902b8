"""Evaluation, the quarter-end review: per KR the score the data suggests, the self and committee
scores with a note; each person's values and 360 scores; the roll-ups and performance; the
quarter's lessons and next steps; closing the cycle. Admins edit, everyone else reads. Every save
goes through ``dashboard.writes`` (the same rules as ``okrfunnel okrs scores``)."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, writes
from dashboard.auth import current_user
from dashboard.common import mine, require_cycle
from dashboard.format import day
from dashboard.i18n import language, t
from dashboard.tables import attainment_column
from pipelines.errors import OkrfunnelError
from pipelines.okr_scores import weight_warning

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
user = current_user()
editing = user.can("admin")
cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
rows = data.scores(selection.key, selection.cycle)
score = st.column_config.NumberColumn(min_value=0.0, max_value=10.0, step=0.5, format="%.1f")

st.title(t("evaluation.title", cycle=selection.cycle))
if cycle["closed"]:
    st.info(t("evaluation.closed"))
if weight_warning(data.settings().evaluation):
    st.warning(t("evaluation.weight_warning", weight=f"{data.settings().evaluation.okr_weight:.0%}"))
if not editing:
    st.caption(t("evaluation.read_only"))


def say(problem: OkrfunnelError) -> None:
    """A refused save: what to do in the page's language, then each problem as the CLI prints it."""
    problems = problem.details.get("problems", [])
    if any(p.column == "reason" for p in problems):
        st.error(t("evaluation.needs_reason"))
    elif problems:
        st.error(t("evaluation.bad_scores"))
    for line in [p.one_line() for p in problems] or [problem.one_line()]:
        st.error(line)


def optional(value):
    return None if pd.isna(value) else value


krs = pd.DataFrame([
    {"kr_id": r["kr_id"], "kr": r["kr"], "owner": r["owner"], "attainment": r["attainment"],
     "suggested": r["suggested"], "self": r["self"], "committee": r["committee"], "final": r["final"],
     "note": r["note"], "reason": None}
    for r in mine([r for r in rows if r["level"] == "kr"], selection)
], columns=["kr_id", "kr", "owner", "attainment", "suggested", "self", "committee", "final", "note", "reason"])
st.subheader(t("evaluation.krs"))
st.caption(t("evaluation.krs_help"))
edited_krs = st.data_editor(
    krs, key="evaluation_krs", hide_index=True, width="stretch", disabled=not editing or list(krs.columns[:5]) + ["final"],
    column_config={
        "kr_id": t("evaluation.kr_id"), "kr": st.column_config.TextColumn(t("evaluation.kr"), width="medium"),
        "owner": t("evaluation.owner"), "attainment": attainment_column(),
        "suggested": st.column_config.NumberColumn(t("evaluation.suggested"), format="%.0f"),
        "self": score | {"label": t("evaluation.self")}, "committee": score | {"label": t("evaluation.committee")},
        "final": st.column_config.NumberColumn(t("evaluation.final"), format="%.1f"),
        "note": st.column_config.TextColumn(t("evaluation.note"), width="medium", max_chars=500),
        "reason": st.column_config.TextColumn(t("evaluation.reason"), max_chars=500),
    },
)

people = pd.DataFrame([
    {"person": r["person"], "score": r["score"], "values": r["values"], "review": r["review"],
     "performance": r["performance"], "reason": None}
    for r in rows if r["level"] == "person"
], columns=["person", "score", "values", "review", "performance", "reason"])
st.subheader(t("evaluation.people"))
weights = data.settings().evaluation
st.caption(t("evaluation.people_help", okr=f"{weights.okr_weight:.0%}", values=f"{weights.values_weight:.0%}",
             review=f"{weights.review_weight:.0%}"))
edited_people = st.data_editor(
    people, key="evaluation_people", hide_index=True, width="stretch", num_rows="dynamic" if editing else "fixed",
    disabled=not editing or ["score", "performance"],
    column_config={
        "person": t("evaluation.person"), "score": st.column_config.NumberColumn(t("evaluation.okr_score"), format="%.2f"),
        "values": score | {"label": t("evaluation.values")}, "review": score | {"label": t("evaluation.review")},
        "performance": st.column_config.NumberColumn(t("evaluation.performance"), format="%.2f"),
        "reason": st.column_config.TextColumn(t("evaluation.reason"), max_chars=500),
    },
)
if editing and st.button(t("evaluation.save"), type="primary", key="evaluation_save"):
    try:
        recorded = writes.save_scores(
            user, selection.cycle,
            [{k: optional(v) for k, v in r.items()} for r in edited_krs.to_dict("records")],
            [{k: optional(v) for k, v in r.items()} for r in edited_people.to_dict("records") if optional(r["person"])],
        )
    except OkrfunnelError as exc:
        say(exc)
    else:
        st.session_state["evaluation_saved"] = recorded
        st.rerun()
if (saved := st.session_state.pop("evaluation_saved", None)) is not None:
    st.success(t("evaluation.saved", count=saved.count))
    for warning in saved.warnings:
        st.warning(warning)

st.subheader(t("evaluation.roll_ups"))
levels = {"objective": "objective_id", "owner": "owner", "department": None}
st.dataframe(pd.DataFrame([
    {t("evaluation.level"): t(f"evaluation.level_{r['level']}"),
     t("evaluation.who"): r[levels[r["level"]]] if levels[r["level"]] else selection.cycle,
     t("evaluation.weight"): r["weight"], t("evaluation.score"): r["score"],
     t("evaluation.krs_scored"): f"{r['krs_scored']} / {r['krs_total']}"}
    for r in rows if r["level"] in levels
]), hide_index=True, width="stretch")

st.subheader(t("evaluation.review_notes"))
notes = data.review_notes(selection.key, selection.cycle)
left, right = st.columns(2)
# Keyed by cycle: with one key Streamlit would keep the boxes' text when the cycle changes, show
# one cycle's lessons under another, and a save would write them there.
lessons = left.text_area(t("evaluation.lessons"), "\n".join(n["text"] for n in notes["lessons"]),
                         key=f"evaluation_lessons_{selection.cycle}", disabled=not editing, height=160,
                         help=t("evaluation.one_per_line"))
next_steps = right.text_area(t("evaluation.next_steps"), "\n".join(n["text"] for n in notes["next_steps"]),
                             key=f"evaluation_next_steps_{selection.cycle}", disabled=not editing, height=160,
                             help=t("evaluation.one_per_line"))
if editing and st.button(t("evaluation.save_review"), key="evaluation_save_review"):
    try:
        writes.save_review_notes(user, selection.cycle, lessons, next_steps)
    except OkrfunnelError as exc:
        say(exc)
    else:
        st.rerun()

if editing:
    st.subheader(t("evaluation.cycle"))
    reopen = cycle["closed"]
    early = not reopen and date.today() <= cycle["end"]
    confirm = ("evaluation.confirm_reopen" if reopen else "evaluation.confirm_close_early" if early
               else "evaluation.confirm_close")
    sure = st.checkbox(t(confirm, cycle=selection.cycle, end=day(cycle["end"], lang)), key="evaluation_confirm")
    reason = st.text_input(t("evaluation.reopen_reason"), key="evaluation_reopen_reason", max_chars=500) if reopen else None
    if st.button(t("evaluation.reopen" if reopen else "evaluation.close"), disabled=not sure, key="evaluation_close"):
        try:
            writes.close_cycle(user, selection.cycle, reopen=reopen, reason=reason, early=early)
        except OkrfunnelError as exc:
            say(exc)
        else:
            for key in ("evaluation_confirm", "evaluation_reopen_reason"):
                st.session_state.pop(key, None)
            st.rerun()

history = data.score_history(selection.key, selection.cycle)
events = data.cycle_events(selection.key, selection.cycle)
with st.expander(t("evaluation.history", count=len(history) + len(events)), icon="🕓"):
    if events:
        st.dataframe(pd.DataFrame([
            {t("evaluation.event"): t(f"evaluation.event_{e['event']}"), t("evaluation.scored_by"): e["by"],
             t("evaluation.scored_at"): f"{day(e['at'].date(), lang)} {e['at']:%H:%M}", t("evaluation.reason"): e["reason"]}
            for e in events
        ]), hide_index=True, width="stretch")
    st.dataframe(pd.DataFrame([
        {t("evaluation.subject"): h["subject"], t("evaluation.kind"): t(f"evaluation.{h['kind']}"),
         t("evaluation.score"): h["score"], t("evaluation.note"): h["note"], t("evaluation.scored_by"): h["scored_by"],
         t("evaluation.scored_at"): f"{day(h['scored_at'].date(), lang)} {h['scored_at']:%H:%M}",
         t("evaluation.reason"): h["reason"], t("evaluation.source"): h["source"]}
        for h in history
    ]), hide_index=True, width="stretch")
