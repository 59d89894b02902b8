"""Data: where every number comes from. Loading an export from the browser (the same
``ingest_file`` as ``okrfunnel ingest``, the same messages), freshness per source, the ingest runs
with their validation results, and the rows set aside, filtered and downloadable as CSV."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.common import require_warehouse
from dashboard.format import day, number
from dashboard.i18n import language, t
from dashboard.quarantine_csv import COLUMNS, matching, to_csv
from pipelines.errors import OkrfunnelError

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls"]
ALL = "*"
AUTO = ""

selection = st.session_state["selection"]
lang = language()


def when(value) -> str:
    """A date, or a date and time, as the language writes it."""
    if value is None:
        return "–"
    return f"{day(value, lang)} {value:%H:%M}" if hasattr(value, "hour") else day(value, lang)


def count(value) -> str:
    return number(value, lang)


def show_outcome(o: dict) -> None:
    """The lines ``okrfunnel ingest`` prints for the file: its error, or its warnings and summary."""
    if o["status"] == "failed":
        st.error(o["message"])
        return
    for warning in o["warnings"]:
        st.warning(f"{o['file']}: {warning}")
    {"loaded": st.success, "skipped": st.info}.get(o["status"], st.warning)(o["message"])
    if o["rows_set_aside"]:
        st.info(t("data.upload_see_quarantine", count=count(o["rows_set_aside"]), run=o["run_id"]))


def upload() -> None:
    outcome = st.session_state.get("data_upload_outcome")
    with st.expander(t("data.upload"), expanded=selection.key is None or outcome is not None, icon="📤"):
        st.caption(t("data.upload_help", db=str(data.warehouse())))
        file = st.file_uploader(t("data.upload_file"), type=UPLOAD_TYPES, key="data_upload")
        left, right = st.columns(2)
        # The newer export wins a day another export also covers: an old file must say it is old.
        exported = left.date_input(t("data.upload_export_date"), value=date.today(), key="data_upload_date")
        names = [AUTO, *(s["name"] for s in data.sources())]
        source = right.selectbox(t("data.upload_source"), names, key="data_upload_source",
                                 format_func=lambda n: t("data.upload_source_auto") if n == AUTO else n)
        if st.button(t("data.upload_load"), disabled=file is None, type="primary", key="data_upload_load"):
            with st.spinner(t("data.upload_loading", file=file.name)):
                try:
                    outcome = data.ingest_upload(file.name, file.getvalue(), exported, None if source == AUTO else source)
                except OkrfunnelError as exc:  # the warehouse, not the file: locked, not okrfunnel's, ...
                    outcome = {"status": "failed", "message": exc.one_line(), "file": file.name}
            st.session_state["data_upload_outcome"] = outcome
            if outcome["status"].startswith("loaded"):
                st.session_state["data_q_run"] = outcome["run_id"] if outcome["rows_set_aside"] else ALL
                st.rerun()  # a new warehouse file: the sidebar and every table follow it
        if outcome is not None:
            show_outcome(outcome)


st.title(t("data.title"))
if selection.key is None:  # offer the upload first: a new user loads a first file from here
    top = st.container()
    upload()
    with top:
        require_warehouse(selection)
upload()
known = data.sources()
titles = {s["name"]: s["title"] for s in known}
with st.expander(t("data.sources", count=len(known)), icon="🧩"):
    st.dataframe(pd.DataFrame([{
        "name": s["name"], "title": s["title"], "fact": s["fact"],
        "origin": t("data.builtin") if s["builtin"] else s["file"],
    } for s in known]), hide_index=True, key="data_sources",
        column_config={c: t(f"data.col_{c}") for c in ("name", "title", "fact", "origin")})
runs = data.runs(selection.key)
if not runs:
    st.info(t("data.no_runs"))
    st.code("okrfunnel ingest PATH", language="bash")
    st.stop()

st.subheader(t("data.freshness"))
fresh = data.freshness(selection.key)
newest = max((f["data_to"] for f in fresh if f["data_to"]), default=None)
behind = {f["source"]: (newest - f["data_to"]).days if newest and f["data_to"] else None for f in fresh}
stale = [s for s, d in behind.items() if d is not None and d > data.STALE_DATA_DAYS]
if stale:
    st.warning(t("data.stale", sources=", ".join(stale), days=data.STALE_DATA_DAYS, day=day(newest, lang)))
st.dataframe(pd.DataFrame([{
    "source": f["source"], "title": titles.get(f["source"], "–"), "data_to": when(f["data_to"]),
    "behind": "–" if behind[f["source"]] is None else t("data.days", days=count(behind[f["source"]])),
    "state": "🟠 " + t("data.state_stale") if f["source"] in stale else "🟢 " + t("data.state_current"),
    "last_export": when(f["last_export"]), "last_loaded": when(f["last_loaded"]), "runs": count(f["runs"]),
    "set_aside_last_run": count(f["set_aside_last_run"]),
} for f in fresh], columns=["source", "title", "data_to", "behind", "state", "last_export", "last_loaded", "runs",
                            "set_aside_last_run"]),
    hide_index=True, key="data_freshness",
    column_config={c: t(f"data.col_{c}") for c in ("source", "title", "data_to", "behind", "state", "last_export",
                                                    "last_loaded", "runs", "set_aside_last_run")})
st.subheader(t("data.runs"))
run_columns = ["run_id", "file_name", "source", "status", "rows_read", "rows_loaded", "rows_set_aside", "rows_skipped",
               "date_from", "date_to", "export_date", "finished_at"]
st.dataframe(pd.DataFrame([{
    **{c: r[c] for c in ("run_id", "file_name", "source")}, "status": t(f"data.status_{r['status']}"),
    **{c: count(r[c]) for c in ("rows_read", "rows_loaded", "rows_set_aside", "rows_skipped")},
    **{c: when(r[c]) for c in ("date_from", "date_to", "export_date", "finished_at")},
} for r in reversed(runs)], columns=run_columns), hide_index=True, key="data_runs",
    column_config={"run_id": st.column_config.NumberColumn("ID", format="%d")}
    | {c: t(f"data.col_{c}") for c in run_columns[1:]})

by_id = {r["run_id"]: r for r in runs}
run_id = st.selectbox(t("data.validations_of"), list(reversed(by_id)), key="data_v_run",
                      format_func=lambda i: f"#{i} · {by_id[i]['file_name']}")
checks = data.validations(selection.key, run_id)
failed = sum(not c["success"] for c in checks)
st.caption(t("data.checks", failed=count(failed), total=count(len(checks))))
st.dataframe(pd.DataFrame([{
    "expectation": c["expectation"], "column": c["column"] or "–", "reason": c["reason"],
    "success": "✅ " + t("data.passed") if c["success"] else "❌ " + t("data.failed"),
    "element_count": count(c["element_count"]), "unexpected_count": count(c["unexpected_count"]),
} for c in checks], columns=["expectation", "column", "reason", "success", "element_count", "unexpected_count"]),
    hide_index=True, key="data_validations",
    column_config={c: t(f"data.col_{c}") for c in ("expectation", "column", "reason", "success", "element_count",
                                                    "unexpected_count")})

st.subheader(t("data.quarantine"))
if st.session_state.get("data_q_run") not in [ALL, *by_id]:
    st.session_state["data_q_run"] = ALL
run_pick = st.selectbox(t("data.q_run"), [ALL, *reversed(by_id)], key="data_q_run",
                        format_func=lambda i: t("data.all_runs") if i == ALL else f"#{i} · {by_id[i]['file_name']}")
rows = data.quarantine(selection.key, None if run_pick == ALL else run_pick)
if not rows:
    st.success(t("data.no_quarantine"))
    st.stop()
left, middle, right, search = st.columns(4)
files = left.multiselect(t("data.col_file"), sorted({r["file"] for r in rows}), key="data_q_file")
columns = middle.multiselect(t("data.col_column"), sorted({r["column"] or "" for r in rows}), key="data_q_column",
                             format_func=lambda c: c or t("data.whole_line"))
reasons = right.multiselect(t("data.col_reason"), sorted({r["reason"] for r in rows}), key="data_q_reason")
text = search.text_input(t("data.q_search"), key="data_q_search")
shown = matching(rows, files, columns, reasons, text)
st.caption(t("data.q_count", shown=count(len(shown)), total=count(len(rows))))
st.dataframe(pd.DataFrame(shown, columns=list(COLUMNS)), hide_index=True, key="data_quarantine",
             column_config={"run_id": st.column_config.NumberColumn("ID", format="%d"),
                            "row": st.column_config.NumberColumn(t("data.col_row"), format="%d"),
                            "raw_row": st.column_config.JsonColumn(t("data.col_raw_row"))}
             | {c: t(f"data.col_{c}") for c in ("file", "column", "value", "reason", "check")})
st.download_button(t("data.download", count=count(len(shown))), to_csv(shown), file_name="okrfunnel_quarantine.csv",
                   mime="text/csv", on_click="ignore", disabled=not shown, key="data_q_download", icon="⬇️")
st.caption(t("data.download_help"))
