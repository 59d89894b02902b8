"""The Monday view: headline tiles, alerts, and every objective with its key results."""

from datetime import timedelta

import streamlit as st

from dashboard import data
from dashboard.charts.overview import attainment_bars
from dashboard.common import owner_krs, require_cycle
from dashboard.format import counted, day, metric_value, percent
from dashboard.i18n import language, t
from dashboard.tables import KR_ORDER, kr_columns, kr_frame
from pipelines.errors import OkrfunnelError

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
st.title(t("overview.title", cycle=selection.cycle))
rows = owner_krs(selection)

try:
    quarter = {r["metric"]: r for r in data.impact(selection.key, selection.cycle) if r["section"] == "quarter"}
except OkrfunnelError as exc:  # a quarter just begun: OKRs, no data yet
    quarter = {}
    st.info(exc.one_line())
tiles = st.columns(4)
for tile, name in zip(tiles, ("sqls", "cost_per_sql", "mql_to_sql_rate", "spend") if quarter else ()):
    row = quarter[name]
    change = None if row["pct_change"] is None else f"{row['pct_change']:+.1%}"
    tile.metric(
        t(f"metric.{name}"), metric_value(name, row["value"], selection.currency, lang),
        delta=change, delta_color="inverse" if name.startswith("cost_per") else "normal",
        help=t("overview.tile_help", period=row["period"], previous=row["compared_to"])
        + (" " + t("overview.rate_help") if name.endswith("_rate") else ""),
    )

alerts = []
for r in rows:
    if r["status"] == "off_track":
        alerts.append(("🔴", t("overview.alert_off_track", kr=r["kr_id"], title=r["kr"])))
    if "stale" in r["confidence_flags"]:
        alerts.append(("🕒", t("overview.alert_stale", kr=r["kr_id"], day=day(r["last_checkin"], lang))))
    if "overconfident" in r["confidence_flags"]:
        alerts.append(("⚠️", t("overview.alert_overconfident", kr=r["kr_id"], confidence=r["confidence"])))
recent = selection.as_of - timedelta(days=14)
for d in data.drift(selection.key, selection.cycle, selection.checkins_to):
    if d["flags"] == "drop" and d["date"] >= recent and d["kr_id"] in {r["kr_id"] for r in rows}:
        alerts.append(("📉", t("overview.alert_drop", kr=d["kr_id"], change=abs(d["change_prev"]), day=day(d["date"], lang))))
newest = max((f["data_to"] for f in data.freshness(selection.key) if f["data_to"]), default=None)
for f in data.freshness(selection.key):
    if newest and f["data_to"] and (newest - f["data_to"]).days > data.STALE_DATA_DAYS:
        alerts.append(("🗓️", t("overview.alert_old_data", source=f["source"], day=day(f["data_to"], lang))))
runs = data.runs(selection.key)
if runs and runs[-1]["rows_set_aside"]:
    alerts.append(("🧺", counted("overview.alert_set_aside", runs[-1]["rows_set_aside"], lang, file=runs[-1]["file_name"])))
with st.container(border=True):
    st.subheader(t("overview.alerts"))
    for icon, text in alerts or [("✅", t("overview.no_alerts"))]:
        st.markdown(f"{icon} {text}")

expected = rows[0]["expected"]
for objective in data.objectives(selection.key, selection.cycle):
    krs = [r for r in rows if r["objective_id"] == objective["objective_id"]]
    if not krs:
        continue
    st.subheader(f"{objective['objective_id']} · {objective['objective']}")
    st.caption(t("overview.objective_caption", owner=objective["owner"] or "–", level=t(f"level.{objective['level']}"),
                 progress=percent(objective["progress"])))
    st.progress(min(max(objective["progress"] or 0.0, 0.0), 1.0))
    st.plotly_chart(attainment_bars(krs, expected, {r["kr_id"]: r["kr"] for r in krs}, t("column.expected")),
                    key=f"bars-{objective['objective_id']}")
    confidence = {}
    for d in data.drift(selection.key, selection.cycle, selection.checkins_to):
        confidence.setdefault(d["kr_id"], []).append(d["confidence"])
    st.dataframe(kr_frame(krs, confidence, selection.currency, lang), hide_index=True, column_order=KR_ORDER,
                 key=f"krs-{objective['objective_id']}", column_config=kr_columns())

st.divider()
choice = st.selectbox(t("overview.open_kr"), [r["kr_id"] for r in rows],
                      format_func=lambda k: f"{k} · {next(r['kr'] for r in rows if r['kr_id'] == k)}",
                      key=f"overview_kr_{selection.cycle}")  # KR ids repeat across cycles: one box per cycle
if st.button(t("overview.open"), key="open_kr"):
    st.session_state["kr"] = choice
    st.switch_page("views/key_result.py")
