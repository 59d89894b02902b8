"""Tables the pages show, built from the shared layer's rows: stable column names (the tests read
them), labels and formats from the catalogue.

Widths are set so that every table fits the main area at 1400 px with the sidebar open (about
940 px): short headers, with the long wording in the header's help."""

from __future__ import annotations

import unicodedata

import pandas as pd
import streamlit as st

from dashboard.format import metric_value, percent
from dashboard.i18n import t

STATUS_ICONS = {"achieved": "🟢", "on_track": "🟢", "at_risk": "🟡", "off_track": "🔴", "no_data": "⚪"}
# The Monday view's order: what the KR is, where it stands, what the team and the data expect;
# the raw values and the owner last.
KR_WIDTH = 150
KR_ORDER = ("kr_id", "kr", "status", "attainment", "confidence", "drift", "chance", "forecast", "actual", "target",
            "flags", "owner")


def status_text(status: str) -> str:
    return f"{STATUS_ICONS[status]} {t(f'status.{status}')}"


def flags_text(flags: str) -> str:
    return ", ".join(t(f"flag.{f}") for f in flags.split(",") if f)


def _width(char: str) -> float:
    return 14 if unicodedata.east_asian_width(char) in "WF" else 3.6 if char in " ,.;:()'|!il" else 6.8


def fit(text: str | None, width: int, middle: bool = False) -> str:
    """``text`` cut to about ``width`` pixels of a table cell (14 px font, 16 px of padding), with
    an ellipsis: the grid clips a long cell mid-character otherwise. ``middle`` keeps the end too
    (a file name's dates and extension).

    >>> fit("本季度 SQL 从 383 提升到 500", 150), fit("SQLs to 500", 150)
    ('本季度 SQL 从 383 提…', 'SQLs to 500')
    >>> fit("google_ads_campaign_report_2026-06-01_2026-11-22.csv", 180, middle=True)
    'google_ad…1_2026-11-22.csv'
    """
    text = text or ""
    room = width - 16
    if sum(map(_width, text)) <= room:
        return text
    tail, used = "", 0.0
    if middle:  # a little over half the room for the end
        for char in reversed(text):
            if used + _width(char) > room * 0.65:
                break
            tail, used = char + tail, used + _width(char)
    head = ""
    for char in text[: len(text) - len(tail)]:
        if used + _width(char) > room:
            break
        head, used = head + char, used + _width(char)
    return head.rstrip() + "…" + tail


def confidence_text(value: int | None) -> str:
    return "–" if value is None else f"{value}/10"


def attainment_column(width: int = 92):
    """Attainment as a bar with a whole percent (step 0.01: no decimals); below 0 the bar is empty
    and the label says how far below."""
    return st.column_config.ProgressColumn(t("column.attainment"), format="percent", min_value=0, max_value=1,
                                           step=0.01, width=width, help=t("column.attainment_help"))


def kr_frame(rows: list[dict], confidence: dict[str, list[int]], currency: str | None, language: str) -> pd.DataFrame:
    """One row per KR: values in their metric's unit, attainment as a share (the bar), the chance
    as a whole percent, confidence out of 10 and its history for a sparkline; an empty cell is "–"."""
    return pd.DataFrame([{
        "kr_id": r["kr_id"], "kr": fit(r["kr"], KR_WIDTH), "owner": r["owner"],
        "actual": metric_value(r["metric"], r["actual"], currency, language),
        "target": metric_value(r["metric"], r["target"], currency, language),
        "attainment": r["attainment"], "status": status_text(r["status"]),
        "forecast": metric_value(r["metric"], r["forecast"], currency, language) if r["forecast"] is not None else "–",
        "chance": percent(r["chance"]), "confidence": confidence_text(r["confidence"]),
        "drift": confidence.get(r["kr_id"], []),
        "flags": flags_text(r["confidence_flags"]),
    } for r in rows], columns=list(KR_ORDER))


def kr_columns() -> dict:
    return {
        "kr_id": st.column_config.TextColumn("ID", width=52),
        "kr": st.column_config.TextColumn(t("column.kr"), width=KR_WIDTH, help=t("column.kr_help")),
        "status": st.column_config.TextColumn(t("column.status"), width=92, help=t("column.status_help")),
        "attainment": attainment_column(),
        "confidence": st.column_config.TextColumn(t("column.confidence"), width=76, alignment="right",
                                                  help=t("column.confidence_help")),
        "drift": st.column_config.LineChartColumn(t("column.drift"), y_min=1, y_max=10, width=70, color="auto",
                                                  help=t("column.drift_help")),
        "chance": st.column_config.TextColumn(t("column.chance"), width=64, alignment="right",
                                              help=t("column.chance_help")),
        "forecast": st.column_config.TextColumn(t("column.forecast"), width=66, help=t("column.forecast_help")),
        "actual": st.column_config.TextColumn(t("column.actual"), width=62),
        "target": st.column_config.TextColumn(t("column.target"), width=58),
        "flags": st.column_config.TextColumn(t("column.flags"), width=96),
        "owner": st.column_config.TextColumn(t("column.owner"), width=56),
    }
