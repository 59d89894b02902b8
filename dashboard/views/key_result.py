"""One key result: its path against the target, confidence history, key tasks, revisions, and
where its number comes from."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts.key_result import DATE_TICKS, confidence_history, kr_path
from dashboard.common import owner_krs, require_cycle
from dashboard.format import counted, day, metric_value, number, percent, short_day
from dashboard.i18n import language, t
from dashboard.tables import confidence_text, flags_text, status_text
from pipelines.metrics import facts_of

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
rows = owner_krs(selection)
ids = [r["kr_id"] for r in rows]
# The chosen KR lives in "kr" (set by the Overview's drill-down too); the box is one per cycle,
# since KR ids repeat across cycles with other titles.
box = f"kr_{selection.cycle}"
st.session_state[box] = st.session_state.get("kr") if st.session_state.get("kr") in ids else ids[0]
kr_id = st.selectbox(t("column.kr"), ids, key=box, format_func=lambda k: f"{k} · {next(r['kr'] for r in rows if r['kr_id'] == k)}",
                     on_change=lambda: st.session_state.update(kr=st.session_state[box]))
st.session_state["kr"] = kr_id
kr = next(r for r in rows if r["kr_id"] == kr_id)
cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
year = cycle["start"].year  # dates in tables say their year only when it is another


def value(number):
    return metric_value(kr["metric"], number, selection.currency, lang)


def label(name: str) -> str:
    return t(f"key_result.{name}")


def signed(change: int | None) -> str:
    return "–" if change is None else f"{change:+d}" if change else "0"



st.title(f"{kr['kr_id']} · {kr['kr']}")
st.caption(t("key_result.caption", objective=f"{kr['objective_id']} {kr['objective']}", owner=kr["owner"] or "–",
             kind=t(f"kind.{kr['kind']}"), metric=t(f"metric.{kr['metric']}") if kr["metric"] else "–",
             filters=kr["filters"] or t("key_result.no_filters")))
st.markdown(t("key_result.status_line", status=status_text(kr["status"]))
            + (f" · {flags_text(kr['confidence_flags'])}" if kr["confidence_flags"] else ""))
tiles = st.columns(5)
tiles[0].metric(t("column.actual"), value(kr["actual"]))
tiles[1].metric(t("column.target"), value(kr["target"]), help=f"{t('column.baseline')}: {value(kr['baseline'])}")
tiles[2].metric(t("column.attainment"), percent(kr["attainment"]), help=f"{t('column.expected')}: {percent(kr['expected'])}")
tiles[3].metric(t("column.forecast"), value(kr["forecast"]) if kr["forecast"] is not None else "–",
                help=t("key_result.chance_help", chance=percent(kr["chance"])))
tiles[4].metric(t("column.confidence"), confidence_text(kr["confidence"]))

points = data.kr_path(selection.key, selection.cycle, kr_id, selection.as_of)
if kr["actual"] is None and not points:
    st.info(t("empty.no_data_for_metric", metric=t(f"metric.{kr['metric']}") if kr["metric"] else kr["kr"]))
else:
    start_value = kr["baseline"] if kr["kind"] != "total" and kr["baseline"] is not None else 0.0
    labels = {k: t(f"column.{k}") for k in ("actual", "expected", "target", "forecast")}
    st.plotly_chart(kr_path(points, cycle["start"], cycle["end"], start_value, kr["target"], kr["forecast"], labels,
                            DATE_TICKS[lang]), key="kr-path")

left, right = st.columns(2)
with left:
    st.subheader(t("key_result.confidence"))
    history = [d for d in data.drift(selection.key, selection.cycle, selection.checkins_to) if d["kr_id"] == kr_id]
    if history:
        st.plotly_chart(confidence_history(history, t("column.confidence"), DATE_TICKS[lang]), key="kr-confidence")
    else:
        st.info(t("key_result.no_checkins"))
with right:
    st.subheader(t("key_result.tasks"))
    tasks = [task for task in data.tasks(selection.key, selection.cycle) if task["kr_id"] == kr_id]
    if tasks:
        # Half the page wide: the helpers go with the owner, the link is a short "open".
        st.dataframe(pd.DataFrame([{
            "title": task["title"], "owner": " + ".join(filter(None, [task["owner"], *task["helpers"]])) or "–",
            "due": short_day(task["due"], lang, year), "status": t(f"task_status.{task['status']}"), "link": task["link"],
        } for task in tasks]), hide_index=True, key="kr-tasks", column_config={
            "title": st.column_config.TextColumn(label("col_title"), width=140),
            "owner": st.column_config.TextColumn(t("column.owner"), width=88, help=label("col_people_help")),
            "due": st.column_config.TextColumn(label("col_due"), width=70),
            "status": st.column_config.TextColumn(label("col_task_status"), width=84),
            "link": st.column_config.LinkColumn(label("col_link"), width=64, help=t("key_result.link"),
                                                display_text=t("key_result.open_link"))})
    else:
        st.info(t("key_result.no_tasks"))
    st.subheader(t("key_result.revisions"))
    revisions = [r for r in data.revisions(selection.key, selection.cycle) if r["kr_id"] == kr_id]
    if revisions:
        st.dataframe(pd.DataFrame([{**r, "field": label(f"field_{r['field']}"), "old_value": value(r["old_value"]),
                                    "new_value": value(r["new_value"]), "revision_date": short_day(r["revision_date"], lang, year)}
                                   for r in revisions])[["field", "old_value", "new_value", "revision_date", "approved_by"]],
                     hide_index=True, key="kr-revisions", column_config={
                         "field": label("col_field"), "old_value": label("col_old"), "new_value": label("col_new"),
                         "revision_date": label("col_revision_date"), "approved_by": label("col_approved_by")})
    else:
        st.caption(t("key_result.no_revisions"))

if history:  # the whole width: the notes say why confidence moved
    flagged = any(d["flags"] for d in history)  # the flags column only when a check-in has one
    st.dataframe(pd.DataFrame([{"date": short_day(d["date"], lang, year), "confidence": confidence_text(d["confidence"]),
                                "change": signed(d["change_prev"]), "flags": flags_text(d["flags"]), "note": d["note"] or ""}
                               for d in history]),
                 hide_index=True, key="kr-checkins",
                 column_order=("date", "confidence", "change", *(("flags",) if flagged else ()), "note"),
                 column_config={
                     "date": st.column_config.TextColumn(label("col_date"), width=80),
                     "confidence": st.column_config.TextColumn(t("column.confidence"), width=80, alignment="right"),
                     "change": st.column_config.TextColumn(label("col_change"), width=64, alignment="right"),
                     "flags": st.column_config.TextColumn(t("column.flags"), width=110),
                     "note": st.column_config.TextColumn(label("col_note"), width="large")})

with st.expander(t("key_result.lineage"), expanded=True):
    if kr["metric"]:
        st.markdown(t("key_result.definition", metric=t(f"metric.{kr['metric']}"), name=kr["metric"],
                      description=t(f"metric_help.{kr['metric']}"), filters=kr["filters"] or t("key_result.no_filters")))
        facts = facts_of(kr["metric"])
        behind = [r for r in data.runs(selection.key) if r["fact"] in facts]
        last = max((r["finished_at"] for r in behind if r["finished_at"]), default=None)
        st.markdown(counted("key_result.refresh", sum(r["rows_set_aside"] for r in behind), lang, "set_aside",
                            day=day(kr["data_as_of"], lang), loaded=short_day(last, lang, year)))
        st.dataframe(pd.DataFrame([{
            "run_id": r["run_id"], "file_name": r["file_name"], "source": r["source"],
            "date_from": short_day(r["date_from"], lang, year), "date_to": short_day(r["date_to"], lang, year),
            "rows_loaded": number(r["rows_loaded"], lang), "rows_set_aside": number(r["rows_set_aside"], lang),
        } for r in behind], columns=["run_id", "file_name", "source", "date_from", "date_to", "rows_loaded", "rows_set_aside"]),
            hide_index=True, key="kr-runs", column_config={
                "run_id": st.column_config.NumberColumn(label("col_run"), format="%d", width=72),
                "file_name": label("col_file"), "source": label("col_source"),
                "date_from": label("col_from"), "date_to": label("col_to"),
                "rows_loaded": st.column_config.TextColumn(label("col_loaded"), alignment="right"),
                "rows_set_aside": st.column_config.TextColumn(label("col_set_aside"), alignment="right")})
    else:
        st.markdown(t("key_result.manual_lineage"))
