"""Funnel: stage counts and conversion through the cycle by week, month or quarter, split by
channel or platform; spend and cost per MQL/SQL by channel; the cycle to date as a funnel."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts.funnel import (
    RATES,
    STAGES,
    YOUNG_DAYS,
    funnel_chart,
    month_periods,
    quarter_periods,
    spend_by_channel,
    stage_panels,
    week_periods,
    young_periods,
)
from dashboard.common import require_cycle
from dashboard.format import day, metric_value
from dashboard.i18n import catalogue, language, t

COSTS = ("spend", "cost_per_mql", "cost_per_sql")

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
end = min(selection.as_of or cycle["end"], cycle["end"])
st.title(t("funnel.title", cycle=selection.cycle))
st.caption(t("funnel.caption", start=day(cycle["start"], lang), end=day(end, lang)))


def member(value) -> str:
    """A channel's name in the language, a platform's id as it is, a missing value said so."""
    if value in (None, "(none)"):
        return t("funnel.unset")
    return t(f"funnel.channel_{value}") if f"funnel.channel_{value}" in catalogue(lang) else str(value)


def value(name: str, number) -> str:
    return metric_value(name, number, selection.currency, lang)


def choice(column, name: str, options: tuple[str, ...]) -> str:
    """A radio that keeps its choice across a language switch. Streamlit keeps a radio's value as
    its shown label, which a new language changes: one widget per language, and the last choice
    (kept apart from the widget) is its default."""
    last = st.session_state.get(f"funnel_{name}_last", options[0])
    labels = {o: t(f"funnel.{name}_{o}") for o in options}
    picked = column.radio(t(f"funnel.{name}"), options, index=options.index(last), horizontal=True,
                          key=f"funnel_{name}_{lang}", format_func=labels.get)
    st.session_state[f"funnel_{name}_last"] = picked
    return picked


left, right = st.columns(2)
grain = choice(left, "grain", ("week", "month", "quarter"))
dim = choice(right, "split", ("channel", "platform"))
if grain == "week":
    periods = week_periods(cycle["start"], end)
elif grain == "month":
    periods = month_periods(cycle["start"], end)
else:
    periods = quarter_periods(cycle["start"], end, data.settings().fiscal_year_start_month)
    st.caption(t("funnel.quarter_note", cycle=selection.cycle, end=day(end, lang)))

names = (*STAGES, *RATES)
totals = data.metrics(selection.key, tuple(periods), names)
parts = data.metrics(selection.key, tuple(periods), names, by=dim)
labels = [p[0] for p in periods]
if not any(r[s] for r in totals for s in STAGES):
    st.info(t("empty.no_data_for_metric", metric=", ".join(t(f"metric.{s}") for s in STAGES)))
else:
    found = sorted({r[dim] for r in parts}, key=lambda m: -sum(r["leads"] for r in parts if r[dim] == m))
    titles = {n: t(f"metric.{n}") for n in names} | {"conversion": t("funnel.conversion"), "young": t("funnel.young")}
    young = young_periods(periods, end)
    st.plotly_chart(stage_panels(parts, totals, labels, dim, {m: member(m) for m in found}, titles, young),
                    key=f"funnel-stages-{grain}-{dim}")
    st.caption(t("funnel.young_note", day=day(end, lang), mql_weeks=YOUNG_DAYS["mql_to_sql_rate"] // 7,
                 won_weeks=YOUNG_DAYS["sql_to_won_rate"] // 7))
    columns = {"period": t("funnel.period")} | {n: t(f"metric.{n}") for n in STAGES} | {
        n: st.column_config.TextColumn(t(f"metric.{n}"), help=t("funnel.young_help")) for n in RATES}
    st.dataframe(pd.DataFrame([{"period": r["period"], **{n: value(n, r[n]) for n in names}} for r in totals]),
                 hide_index=True, key=f"funnel-totals-{grain}", column_config=columns)
    with st.expander(t("funnel.by_split", split=t(f"funnel.split_{dim}"))):
        st.dataframe(pd.DataFrame([{"period": r["period"], "member": member(r[dim]), **{n: value(n, r[n]) for n in names}}
                                   for r in parts]),
                     hide_index=True, key=f"funnel-parts-{grain}-{dim}",
                     column_config=columns | {"member": t(f"funnel.split_{dim}")})

to_date = ((selection.cycle, cycle["start"], end),)
channels = data.metrics(selection.key, to_date, (*STAGES, *COSTS), by="channel")
funnel_col, spend_col = st.columns(2)
with funnel_col:
    st.subheader(t("funnel.to_date"))
    stages = [(t(f"metric.{s}"), sum(r[s] for r in channels)) for s in STAGES]
    if any(count for _, count in stages):
        st.plotly_chart(funnel_chart(stages), key="funnel-chart")
        st.caption(t("funnel.to_date_note"))
    else:
        st.info(t("empty.no_data_for_metric", metric=t("metric.leads")))
with spend_col:
    st.subheader(t("funnel.spend"))
    channels.sort(key=lambda r: (r["spend"] is None, -(r["spend"] or 0), str(r["channel"])))
    if any(r["spend"] for r in channels):
        titles = {n: t(f"metric.{n}") for n in COSTS} | {"cost": t("funnel.cost")}
        st.plotly_chart(spend_by_channel(channels, {r["channel"]: member(r["channel"]) for r in channels}, titles),
                        key="funnel-spend")
    else:
        st.info(t("empty.no_data_for_metric", metric=t("metric.spend")))
st.dataframe(pd.DataFrame([{"channel": member(r["channel"]), **{n: value(n, r[n]) for n in ("mqls", "sqls", *COSTS)}}
                           for r in channels]),
             hide_index=True, key="funnel-costs",
             column_config={"channel": t("funnel.split_channel")} | {n: t(f"metric.{n}") for n in ("mqls", "sqls", *COSTS)})
