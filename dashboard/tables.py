"""Tables the pages show, built from the shared layer's rows: stable column names (the tests read
them), labels and formats from the catalogue."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.format import metric_value
from dashboard.i18n import t

STATUS_ICONS = {"achieved": "🟢", "on_track": "🟢", "at_risk": "🟡", "off_track": "🔴", "no_data": "⚪"}


def status_text(status: str) -> str:
    return f"{STATUS_ICONS[status]} {t(f'status.{status}')}"


def flags_text(flags: str) -> str:
    return ", ".join(t(f"flag.{f}") for f in flags.split(",") if f)


def kr_frame(rows: list[dict], confidence: dict[str, list[int]], currency: str | None, language: str) -> pd.DataFrame:
    """One row per KR: values in their metric's unit, attainment and chance as shares, the
    confidence history for a sparkline."""
    return pd.DataFrame([{
        "kr_id": r["kr_id"], "kr": r["kr"], "owner": r["owner"],
        "actual": metric_value(r["metric"], r["actual"], currency, language),
        "target": metric_value(r["metric"], r["target"], currency, language),
        "attainment": r["attainment"], "status": status_text(r["status"]),
        "forecast": metric_value(r["metric"], r["forecast"], currency, language) if r["forecast"] is not None else "–",
        "chance": r["chance"], "confidence": r["confidence"],
        "drift": confidence.get(r["kr_id"], []),
        "flags": flags_text(r["confidence_flags"]),
    } for r in rows])


def kr_columns() -> dict:
    return {
        "kr_id": st.column_config.TextColumn("ID", width="small"),
        "kr": st.column_config.TextColumn(t("column.kr"), width="large"),
        "owner": t("column.owner"), "actual": t("column.actual"), "target": t("column.target"),
        "attainment": st.column_config.ProgressColumn(t("column.attainment"), format="percent", min_value=0, max_value=1),
        "status": t("column.status"), "forecast": t("column.forecast"),
        "chance": st.column_config.NumberColumn(t("column.chance"), format="percent"),
        "confidence": st.column_config.NumberColumn(t("column.confidence"), format="%d / 10"),
        "drift": st.column_config.LineChartColumn(t("column.drift"), y_min=1, y_max=10),
        "flags": t("column.flags"),
    }
