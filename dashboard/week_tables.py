"""The Week page's tables, built from the shared layer's rows (``okr_store`` tasks and their
changes, ``okr_week`` progress, ``okrfunnel confidence`` rows): stable column names (the tests
read them), labels and formats from the catalogue, dates without the cycle's year."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.format import change, metric_value, percent, short_day
from dashboard.i18n import t
from dashboard.tables import confidence_text, status_text


def people(task: dict) -> str:
    return " + ".join(filter(None, [task["owner"], *task["helpers"]])) or "–"


def signed(points: int | None) -> str:
    return "–" if points is None else f"{points:+d}" if points else "0"


def tasks(rows: list[dict], week: date, language: str, year: int) -> pd.DataFrame:
    """Tasks with who does them; one due before ``week`` and not done is marked carried over."""
    return pd.DataFrame([{
        "kr_id": x["kr_id"], "task_id": x["task_id"], "title": x["title"], "people": people(x),
        "due": short_day(x["due"], language, year),
        "status": t(f"task_status.{x['status']}") + (f" · {t('week.carried')}" if x["due"] < week and x["status"] != "done" else ""),
        "link": x["link"],
    } for x in rows], columns=["kr_id", "task_id", "title", "people", "due", "status", "link"])


def done_tasks(rows: list[dict], language: str, year: int) -> pd.DataFrame:
    return pd.DataFrame([{"kr_id": x["kr_id"], "task_id": x["task_id"], "title": x["title"], "people": people(x),
                          "done_on": short_day(x["done_on"], language, year), "link": x["link"]} for x in rows])


def task_columns() -> dict:
    return {
        "kr_id": st.column_config.TextColumn("KR", width=56), "task_id": st.column_config.TextColumn("ID", width=48),
        "title": st.column_config.TextColumn(t("week.col_task"), width="large"),
        "people": st.column_config.TextColumn(t("week.col_people"), help=t("week.col_people_help")),
        "due": st.column_config.TextColumn(t("week.col_due"), width=80),
        "status": st.column_config.TextColumn(t("week.col_status"), width="medium"),  # room for "carried over"
        "link": st.column_config.LinkColumn(t("week.col_link"), width=64, display_text=t("week.open_link")),
        "done_on": t("week.col_done_on"),
    }


def _change_text(field: str, value, language: str, year: int) -> str:
    """A field as ``task_change`` stores it (JSON: a list of helpers, a day as YYYY-MM-DD)."""
    if value is None:
        return ""
    if field in ("created", "removed"):
        return value["title"]
    if field == "helpers":
        return "、".join(value)
    if field == "status":
        return t(f"task_status.{value}")
    if field == "due":
        return short_day(date.fromisoformat(value), language, year)
    return str(value)


def task_changes(rows: list[dict], language: str, year: int) -> tuple[pd.DataFrame, dict]:
    frame = pd.DataFrame([{
        "date": short_day(c["change_date"], language, year), "task_id": c["task_id"], "field": t(f"week.field_{c['field']}"),
        "old": _change_text(c["field"], c["old_value"], language, year),
        "new": _change_text(c["field"], c["new_value"], language, year),
        "by": c["changed_by"] or "", "reason": c["reason"] or "",
    } for c in rows])
    return frame, {"date": t("week.col_date"), "task_id": "ID", "field": t("week.col_field"), "old": t("week.col_old"),
                   "new": t("week.col_new"), "by": t("week.col_by"), "reason": t("week.reason")}


def progress(rows: list[dict], currency: str | None, language: str) -> tuple[pd.DataFrame, dict]:
    """``okr_week.progress`` rows: each KR's value before and after, in its metric's unit."""
    frame = pd.DataFrame([{
        "kr_id": r["kr_id"], "kr": r["kr"], "before": metric_value(r["metric"], r["before"], currency, language),
        "after": metric_value(r["metric"], r["after"], currency, language),
        "change": change(r["metric"], r["change"], currency, language),
        "attainment": percent(r["attainment"]), "status": status_text(r["status"]),
    } for r in rows], columns=["kr_id", "kr", "before", "after", "change", "attainment", "status"])
    return frame, {
        "kr_id": st.column_config.TextColumn("KR", width=56), "kr": st.column_config.TextColumn(t("week.kr"), width="medium"),
        "before": t("week.col_before"), "after": t("week.col_after"), "change": t("week.col_change"),
        "attainment": t("column.attainment"), "status": t("column.status"),
    }


def checkins(rows: list[dict], language: str, year: int) -> tuple[pd.DataFrame, dict]:
    frame = pd.DataFrame([{
        "kr_id": r["kr_id"], "date": short_day(r["date"], language, year), "confidence": confidence_text(r["confidence"]),
        "change": signed(r["change_prev"]), "note": r["note"] or "",
    } for r in rows], columns=["kr_id", "date", "confidence", "change", "note"])
    return frame, {"kr_id": "KR", "date": t("week.col_date"), "confidence": t("column.confidence"),
                   "change": t("week.col_change"), "note": st.column_config.TextColumn(t("week.note"), width="large")}


def confidence_changes(rows: list[dict]) -> tuple[pd.DataFrame, dict]:
    """``okr_week.confidence_changes`` rows."""
    frame = pd.DataFrame([{
        "kr_id": c["kr_id"], "before": confidence_text(c["before"]), "after": confidence_text(c["after"]),
        "change": signed(c["change"]), "checkins": c["checkins"], "drops": c["drops"],
    } for c in rows])
    return frame, {"kr_id": "KR", "before": t("week.col_before"), "after": t("week.col_after"), "change": t("week.col_change"),
                   "checkins": t("week.col_checkins"), "drops": t("week.col_drops")}


def revisions(rows: list[dict], metrics: dict[str, str | None], currency: str | None, language: str,
              year: int) -> tuple[pd.DataFrame, dict]:
    """``okrfunnel okrs revisions`` rows; ``metrics`` gives each KR's metric (the unit of its values)."""
    def value(r: dict, key: str) -> str:
        return metric_value(metrics[r["kr_id"]], r[key], currency, language)

    frame = pd.DataFrame([{
        "kr_id": r["kr_id"], "field": t(f"key_result.field_{r['field']}"), "old": value(r, "old_value"),
        "new": value(r, "new_value"), "date": short_day(r["revision_date"], language, year), "approved_by": r["approved_by"] or "",
    } for r in rows])
    return frame, {"kr_id": "KR", "field": t("week.col_field"), "old": t("week.col_old"), "new": t("week.col_new"),
                   "date": t("week.col_date"), "approved_by": t("key_result.col_approved_by")}
