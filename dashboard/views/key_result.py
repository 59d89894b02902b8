"""One key result: its path against the target, confidence history, key tasks, revisions, and
where its number comes from."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts.key_result import DATE_TICKS, confidence_history, kr_path
from dashboard.common import mine, require_cycle
from dashboard.format import day, metric_value
from dashboard.i18n import language, t
from dashboard.tables import flags_text, status_text
from pipelines.metrics import facts_of

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
rows = mine(data.key_results(selection.key, selection.cycle), selection)
if not rows:
    st.info(t("empty.no_krs_for_owner", owner=selection.owner))
    st.stop()
ids = [r["kr_id"] for r in rows]
if st.session_state.get("kr") not in ids:
    st.session_state["kr"] = ids[0]
kr_id = st.selectbox(t("column.kr"), ids, key="kr", format_func=lambda k: f"{k} · {next(r['kr'] for r in rows if r['kr_id'] == k)}")
kr = next(r for r in rows if r["kr_id"] == kr_id)


def value(number):
    return metric_value(kr["metric"], number, selection.currency, lang)


def label(name: str) -> str:
    return t(f"key_result.{name}")


st.title(f"{kr['kr_id']} · {kr['kr']}")
st.caption(t("key_result.caption", objective=f"{kr['objective_id']} {kr['objective']}", owner=kr["owner"] or "–",
             kind=t(f"kind.{kr['kind']}"), metric=t(f"metric.{kr['metric']}") if kr["metric"] else "–",
             filters=kr["filters"] or t("key_result.no_filters")))
st.markdown(f"**{t('column.status')}:** {status_text(kr['status'])}"
            + (f" · {flags_text(kr['confidence_flags'])}" if kr["confidence_flags"] else ""))
tiles = st.columns(5)
tiles[0].metric(t("column.actual"), value(kr["actual"]))
tiles[1].metric(t("column.target"), value(kr["target"]), help=f"{t('column.baseline')}: {value(kr['baseline'])}")
tiles[2].metric(t("column.attainment"), "–" if kr["attainment"] is None else f"{kr['attainment']:.0%}",
                help=f"{t('column.expected')}: {kr['expected']:.0%}")
tiles[3].metric(t("column.forecast"), value(kr["forecast"]) if kr["forecast"] is not None else "–",
                help=t("key_result.chance_help", chance="–" if kr["chance"] is None else f"{kr['chance']:.0%}"))
tiles[4].metric(t("column.confidence"), "–" if kr["confidence"] is None else f"{kr['confidence']}/10")

cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
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
    history = [d for d in data.drift(selection.key, selection.cycle, selection.as_of) if d["kr_id"] == kr_id]
    if history:
        st.plotly_chart(confidence_history(history, t("column.confidence"), DATE_TICKS[lang]), key="kr-confidence")
        st.dataframe(pd.DataFrame([{"date": day(d["date"], lang), "confidence": d["confidence"], "change": d["change_prev"],
                                    "flags": flags_text(d["flags"]), "note": d["note"] or ""} for d in history]),
                     hide_index=True, key="kr-checkins", column_config={
                         "date": label("col_date"), "confidence": t("column.confidence"), "change": label("col_change"),
                         "flags": t("column.flags"), "note": label("col_note")})
    else:
        st.info(t("key_result.no_checkins"))
with right:
    st.subheader(t("key_result.tasks"))
    tasks = [task for task in data.tasks(selection.key, selection.cycle) if task["kr_id"] == kr_id]
    if tasks:
        st.dataframe(pd.DataFrame([{**task, "helpers": ", ".join(task["helpers"]), "due": day(task["due"], lang),
                                    "status": t(f"task_status.{task['status']}")} for task in tasks]).drop(columns="kr_id"),
                     hide_index=True, key="kr-tasks", column_config={
                         "title": label("col_title"), "owner": t("column.owner"), "helpers": label("col_helpers"),
                         "due": label("col_due"), "status": label("col_task_status"),
                         "link": st.column_config.LinkColumn(t("key_result.link"))})
    else:
        st.info(t("key_result.no_tasks"))
    st.subheader(t("key_result.revisions"))
    revisions = [r for r in data.revisions(selection.key, selection.cycle) if r["kr_id"] == kr_id]
    if revisions:
        st.dataframe(pd.DataFrame([{**r, "field": label(f"field_{r['field']}"), "old_value": value(r["old_value"]),
                                    "new_value": value(r["new_value"]), "revision_date": day(r["revision_date"], lang)}
                                   for r in revisions])[["field", "old_value", "new_value", "revision_date", "approved_by"]],
                     hide_index=True, key="kr-revisions", column_config={
                         "field": label("col_field"), "old_value": label("col_old"), "new_value": label("col_new"),
                         "revision_date": label("col_revision_date"), "approved_by": label("col_approved_by")})
    else:
        st.caption(t("key_result.no_revisions"))

with st.expander(t("key_result.lineage"), expanded=True):
    if kr["metric"]:
        st.markdown(t("key_result.definition", metric=t(f"metric.{kr['metric']}"), name=kr["metric"],
                      description=t(f"metric_help.{kr['metric']}"), filters=kr["filters"] or t("key_result.no_filters")))
        facts = facts_of(kr["metric"])
        behind = [r for r in data.runs(selection.key) if r["fact"] in facts]
        st.markdown(t("key_result.refresh", day=day(kr["data_as_of"], lang),
                      loaded=max((str(r["finished_at"])[:16] for r in behind), default="–"),
                      set_aside=sum(r["rows_set_aside"] for r in behind)))
        st.dataframe(pd.DataFrame(behind)[["run_id", "file_name", "source", "date_from", "date_to", "rows_loaded", "rows_set_aside"]]
                     if behind else pd.DataFrame(), hide_index=True, key="kr-runs", column_config={
                         "run_id": label("col_run"), "file_name": label("col_file"), "source": label("col_source"),
                         "date_from": label("col_from"), "date_to": label("col_to"), "rows_loaded": label("col_loaded"),
                         "rows_set_aside": label("col_set_aside")})
    else:
        st.markdown(t("key_result.manual_lineage"))
