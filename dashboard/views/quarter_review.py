"""Quarter review, for the CMO in front of the CEO: the quarter against the last, each additive
metric's change by channel, the KR outcomes, and how far the team has come since adopting OKRs."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts.funnel import quarter_label
from dashboard.charts.quarter_review import waterfall
from dashboard.common import mine, require_cycle, show_error
from dashboard.format import change, day, metric_value
from dashboard.i18n import catalogue, language, t
from dashboard.report_content import compared_text, since_changes
from dashboard.tables import attainment_column, status_text
from pipelines.errors import OkrfunnelError

TILES = ("leads", "mqls", "sqls", "wins", "won_revenue", "spend", "cost_per_sql", "mql_to_sql_rate")

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
st.title(t("review.title", cycle=selection.cycle))
try:
    rows = data.impact(selection.key, selection.cycle)
except OkrfunnelError as exc:
    if exc.column != "--cycle":  # a bad adoption_baseline in okrfunnel.toml, said as the CLI says it
        show_error(exc)
    st.info(t("empty.no_data_for_metric", metric=selection.cycle))  # nothing loaded for this quarter yet
    st.stop()


def value(name: str, number) -> str:
    return metric_value(name, number, selection.currency, lang)


def span(label: str) -> str:
    """``2026-07-01..2026-08-22`` as the language writes dates; a quarter's name as it is."""
    if ".." not in label:
        return label
    start, end = (date.fromisoformat(d) for d in label.split(".."))
    return f"{day(start, lang)} – {day(end, lang)}"


def member(name) -> str:
    if name in (None, "(none)"):
        return t("funnel.unset")
    return t(f"funnel.channel_{name}") if f"funnel.channel_{name}" in catalogue(lang) else str(name)


quarter = {r["metric"]: r for r in rows if r["section"] == "quarter"}
first = quarter[TILES[0]]
st.caption(compared_text(t, span, first["period"], first["compared_to"]))
for chunk in (TILES[:4], TILES[4:]):
    for tile, name in zip(st.columns(4), chunk):
        row = quarter[name]
        tile.metric(t(f"metric.{name}"), value(name, row["value"]),
                    delta=None if row["pct_change"] is None else f"{row['pct_change']:+.1%}",
                    delta_color="inverse" if name.startswith("cost_per") else "normal",
                    help=t("review.tile_help", previous=value(name, row["previous"]), period=span(row["compared_to"])))
for name in (n for n in TILES if quarter[n]["value"] is None):
    st.caption(t("empty.no_data_for_metric", metric=t(f"metric.{name}")))

st.subheader(t("review.waterfall"))
split = [r for r in rows if r["section"] == "split" and r["dimension"] == "channel"]
choices = list(dict.fromkeys(r["metric"] for r in split if r["member"] != "(none)"))
if not choices:
    st.info(t("empty.no_data_for_metric", metric=t("review.channels")))
else:
    # One selectbox per language (it keeps its shown label, which a language switch changes), the
    # last choice as its default.
    last = st.session_state.get("review_metric_last", "sqls")
    metric = st.selectbox(t("review.waterfall_metric"), choices, key=f"review_metric_{lang}",
                          format_func={m: t(f"metric.{m}") for m in choices}.get, index=choices.index(last) if last in choices else 0)
    st.session_state["review_metric_last"] = metric
    parts, whole = [r for r in split if r["metric"] == metric], quarter[metric]
    texts = [value(metric, whole["previous"]),
             *(("+" if (p["change"] or 0) > 0 else "") + value(metric, p["change"]) for p in parts), value(metric, whole["value"])]
    st.plotly_chart(waterfall(parts, whole, t("review.bar_previous"), t("review.bar_value"),
                              {p["member"]: member(p["member"]) for p in parts}, texts), key=f"review-waterfall-{metric}")
    st.caption(t("review.waterfall_note", metric=t(f"metric.{metric}")))

st.subheader(t("review.outcomes"))
krs = mine(data.key_results(selection.key, selection.cycle), selection)
if not krs:
    st.info(t("empty.no_krs_for_owner", owner=selection.owner))
else:
    st.dataframe(pd.DataFrame([{
        "kr_id": r["kr_id"], "kr": r["kr"], "owner": r["owner"], "target": value(r["metric"], r["target"]),
        "actual": value(r["metric"], r["actual"]), "attainment": r["attainment"], "status": status_text(r["status"]),
    } for r in krs]), hide_index=True, key="review-outcomes", column_config={
        "kr_id": st.column_config.TextColumn("ID", width="small"),
        "kr": st.column_config.TextColumn(t("column.kr"), width="large"), "owner": t("column.owner"),
        "target": t("column.target"), "actual": t("column.actual"),
        "attainment": attainment_column(width=120), "status": t("column.status"),
    })
    for r in (r for r in krs if r["metric"] and r["actual"] is None):
        st.caption(f"{r['kr_id']}: " + t("empty.no_data_for_metric", metric=t(f"metric.{r['metric']}")))

st.subheader(t("review.since_adoption"))
since = {r["metric"]: r for r in rows if r["section"] == "since_adoption"}
if not since:
    st.info(t("review.no_baseline"))
else:
    compared = next(iter(since.values()))["compared_to"]
    baseline = quarter_label(date.fromisoformat(compared.split("..")[0]), data.settings().fiscal_year_start_month) \
        if ".." in compared else compared
    changes = since_changes(since, t)
    if changes:
        st.markdown(f"### {t('review.since_sentence', changes=t('review.separator').join(changes), baseline=baseline)}")
    st.caption(compared_text(t, span, since[TILES[0]]["period"], compared))
    # The change in each metric's own unit (money and counts whole, rates in percentage points),
    # and as a multiple; a cell without a value (a rate that was 0 before has no multiple) is "–".
    st.dataframe(pd.DataFrame([{
        "metric": t(f"metric.{r['metric']}"), "value": value(r["metric"], r["value"]),
        "previous": value(r["metric"], r["previous"]), "change": change(r["metric"], r["change"], selection.currency, lang),
        "multiple": "–" if r["multiple"] is None else f"{r['multiple']:.2f}×",
    } for r in since.values()]), hide_index=True, key="review-since", height="content", column_config={
        "metric": t("review.metric"),
        "value": st.column_config.TextColumn(t("review.value"), alignment="right"),
        "previous": st.column_config.TextColumn(t("review.previous", period=baseline), alignment="right"),
        "change": st.column_config.TextColumn(t("review.pct_change"), alignment="right", help=t("review.change_help")),
        "multiple": st.column_config.TextColumn(t("review.multiple"), alignment="right"),
    })
