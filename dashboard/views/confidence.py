"""Confidence: the weekly check-ins of every KR as a heatmap, the drift table with its flags, the
team's confidence beside the data's chance, and how well confidence predicted past outcomes."""

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts.confidence import (
    MARGIN,
    brier_bars,
    confidence_vs_chance,
    disagreements,
    heatmap,
)
from dashboard.charts.funnel import week_periods
from dashboard.common import ALL_OWNERS, owner_krs, require_cycle
from dashboard.format import share
from dashboard.i18n import language, t
from dashboard.tables import flags_text, status_text

TEAM, NO_OWNER = "(team)", "(no owner)"  # calibration's rows for everyone and for KRs without an owner
DATE_FORMATS = {"en": "MMM D, YYYY", "zh": "YYYY年M月D日"}
SHORT_DATES = {"en": "MMM D", "zh": "M月D日"}  # every check-in in the cycle's year: no need to say it

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
st.title(t("confidence.title", cycle=selection.cycle))
rows = owner_krs(selection)
cycle = next(c for c in selection.cycles if c["label"] == selection.cycle)
labels = {r["kr_id"]: f"{r['kr_id']} {r['kr']}" for r in rows}
checkins = [d for d in data.drift(selection.key, selection.cycle, selection.checkins_to) if d["kr_id"] in labels]
# The weeks up to the data's last day, or the newest check-in when the team checked in since.
end = min(max([selection.as_of or cycle["start"], *(d["date"] for d in checkins)]), cycle["end"])

st.subheader(t("confidence.heatmap"))
if checkins:
    st.plotly_chart(heatmap(labels, week_periods(cycle["start"], end), checkins, t("column.confidence")),
                    key="confidence-heatmap")
    st.caption(t("confidence.heatmap_note"))
else:
    st.info(t("confidence.no_checkins"))

st.subheader(t("confidence.drift"))
if checkins:
    st.dataframe(pd.DataFrame([{
        "kr_id": d["kr_id"], "date": d["date"], "confidence": d["confidence"], "change_prev": d["change_prev"],
        "change_start": d["change_start"], "flags": flags_text(d["flags"]), "note": d["note"] or "",
    } for d in checkins]), hide_index=True, key="confidence-drift", column_config={
        "kr_id": st.column_config.TextColumn("ID", width="small"),
        "date": st.column_config.DateColumn(t("confidence.date"), format=(
            SHORT_DATES if all(d["date"].year == cycle["start"].year for d in checkins) else DATE_FORMATS)[lang]),
        "confidence": st.column_config.NumberColumn(t("column.confidence"), format="%d/10"),
        "change_prev": st.column_config.NumberColumn(t("confidence.change_prev"), format="%+d"),
        "change_start": st.column_config.NumberColumn(t("confidence.change_start"), format="%+d"),
        "flags": t("column.flags"), "note": st.column_config.TextColumn(t("confidence.note"), width="large"),
    })

st.subheader(t("confidence.against_data"))
st.caption(t("confidence.against_data_note", margin=share(MARGIN, lang, 0)))
with_chance = [r for r in rows if r["confidence"] is not None and r["chance"] is not None]
if with_chance:
    axis = {"x": t("confidence.axis_team"), "y": t("confidence.axis_data")}
    st.plotly_chart(confidence_vs_chance(rows, labels, axis), key="confidence-scatter")
else:
    st.info(t("confidence.no_chance"))
without = [r["kr_id"] for r in rows if r not in with_chance]
if without:
    st.caption(t("confidence.left_out", krs=", ".join(without)))
apart = disagreements(rows)
with st.container(border=True):
    st.markdown(f"**{t('confidence.disagree')}**")
    for r in apart:
        key = "confidence.team_higher" if r["confidence"] / 10 > r["chance"] else "confidence.data_higher"
        st.markdown("- " + t(key, kr=r["kr_id"], title=r["kr"], confidence=r["confidence"],
                             chance=share(r["chance"], lang, 0), status=status_text(r["status"])))
    if not apart:
        st.markdown(t("confidence.no_disagreement"))

st.subheader(t("confidence.calibration"))
calibration = data.calibration(selection.key)
if selection.owner != ALL_OWNERS:
    calibration = [c for c in calibration if c["owner"] in (selection.owner, TEAM)]
if not calibration:
    st.info(t("confidence.no_calibration"))
else:
    st.caption(t("confidence.calibration_note"))
    names = {TEAM: t("confidence.team"), NO_OWNER: t("confidence.no_owner")}
    owners = {c["owner"]: names.get(c["owner"], c["owner"]) for c in calibration}
    chart, table = st.columns(2)
    chart.plotly_chart(brier_bars(calibration, owners, t("confidence.always_five")), key="confidence-brier")
    # As a percentage number: Streamlit's "percent" format truncates (0.4286 shows as 42%, not 43%).
    table.dataframe(pd.DataFrame([{**c, "owner": owners[c["owner"]], "hit_rate": 100 * c["hit_rate"]} for c in calibration]),
                    hide_index=True,
                    key="confidence-calibration", column_config={
                        "owner": t("column.owner"), "key_results": t("confidence.key_results"),
                        "brier": st.column_config.NumberColumn(t("confidence.brier"), format="%.2f"),
                        "mean_confidence": st.column_config.NumberColumn(t("confidence.mean_confidence"), format="%.1f"),
                        "hit_rate": st.column_config.NumberColumn(t("confidence.hit_rate"), format="%.0f%%"),
                    })
