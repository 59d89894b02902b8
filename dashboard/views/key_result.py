"""One key result: its path against the target, confidence history, key tasks, revisions, and
where its number comes from."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts.key_result import confidence_history, kr_path
from dashboard.common import mine, require_cycle
from dashboard.format import day, metric_value
from dashboard.i18n import language, t
from dashboard.tables import flags_text, status_text
from pipelines.metrics import METRICS, facts_of

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


st.title(f"{kr['kr_id']} · {kr['kr']}")
st.caption(t("key_result.caption", objective=f"{kr['objective_id']} {kr['objective']}", owner=kr["owner"] or "–",
             kind=t(f"kind.{kr['kind']}"), metric=t(f"metric.{kr['metric']}") if kr["metric"] else "–",
             filters=kr["filters"] or t("key_result.no_filters")))
tiles = st.columns(6)
tiles[0].metric(t("column.actual"), value(kr["actual"]))
tiles[1].metric(t("column.target"), value(kr["target"]), help=f"{t('column.baseline')}: {value(kr['baseline'])}")
tiles[2].metric(t("column.attainment"), "–" if kr["attainment"] is None else f"{kr['attainment']:.0%}",
                help=f"{t('column.expected')}: {kr['expected']:.0%}")
tiles[3].metric(t("column.status"), status_text(kr["status"]))
tiles[4].metric(t("column.forecast"), value(kr["forecast"]) if kr["forecast"] is not None else "–",
                help=t("key_result.chance_help", chance="–" if kr["chance"] is None else f"{kr['chance']:.0%}"))
tiles[5].metric(t("column.confidence"), "–" if kr["confidence"] is None else f"{kr['confidence']}/10",
                help=flags_text(kr["confidence_flags"]) or None)

cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
points = data.kr_path(selection.key, selection.cycle, kr_id, selection.as_of)
if kr["actual"] is None and not points:
    st.info(t("empty.no_data_for_metric", metric=t(f"metric.{kr['metric']}") if kr["metric"] else kr["kr"]))
else:
    start_value = kr["baseline"] if kr["kind"] != "total" and kr["baseline"] is not None else 0.0
    labels = {k: t(f"column.{k}") for k in ("actual", "expected", "target", "forecast")}
    st.plotly_chart(kr_path(points, cycle["start"], cycle["end"], start_value, kr["target"], kr["forecast"], labels),
                    key="kr-path")

left, right = st.columns(2)
with left:
    st.subheader(t("key_result.confidence"))
    history = [d for d in data.drift(selection.key, selection.cycle, selection.as_of) if d["kr_id"] == kr_id]
    if history:
        st.plotly_chart(confidence_history(history, t("column.confidence")), key="kr-confidence")
        st.dataframe(pd.DataFrame([{"date": d["date"], "confidence": d["confidence"], "change": d["change_prev"],
                                    "flags": flags_text(d["flags"]), "note": d["note"]} for d in history]),
                     hide_index=True, key="kr-checkins")
    else:
        st.info(t("key_result.no_checkins"))
with right:
    st.subheader(t("key_result.tasks"))
    tasks = [task for task in data.tasks(selection.key, selection.cycle) if task["kr_id"] == kr_id]
    if tasks:
        st.dataframe(pd.DataFrame([{**task, "helpers": ", ".join(task["helpers"])} for task in tasks]).drop(columns="kr_id"),
                     hide_index=True, key="kr-tasks", column_config={"link": st.column_config.LinkColumn(t("key_result.link"))})
    else:
        st.info(t("key_result.no_tasks"))
    st.subheader(t("key_result.revisions"))
    revisions = [r for r in data.revisions(selection.key, selection.cycle) if r["kr_id"] == kr_id]
    if revisions:
        st.dataframe(pd.DataFrame(revisions)[["field", "old_value", "new_value", "revision_date", "approved_by"]],
                     hide_index=True, key="kr-revisions")
    else:
        st.caption(t("key_result.no_revisions"))

with st.expander(t("key_result.lineage"), expanded=True):
    if kr["metric"]:
        st.markdown(t("key_result.definition", metric=t(f"metric.{kr['metric']}"), name=kr["metric"],
                      description=METRICS[kr["metric"]].description, filters=kr["filters"] or t("key_result.no_filters")))
        facts = facts_of(kr["metric"])
        behind = [r for r in data.runs(selection.key) if r["fact"] in facts]
        st.markdown(t("key_result.refresh", day=day(kr["data_as_of"], lang),
                      loaded=max((str(r["finished_at"])[:16] for r in behind), default="–"),
                      set_aside=sum(r["rows_set_aside"] for r in behind)))
        st.dataframe(pd.DataFrame(behind)[["run_id", "file_name", "source", "date_from", "date_to", "rows_loaded", "rows_set_aside"]]
                     if behind else pd.DataFrame(), hide_index=True, key="kr-runs")
    else:
        st.markdown(t("key_result.manual_lineage"))
