"""Data: where every number comes from. Loading an export from the browser (the same
``ingest_file`` as ``okrfunnel ingest``, the same messages), freshness per source, the ingest runs
with their validation results, and the rows set aside, filtered and downloadable as CSV."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, writes
from dashboard.auth import current_user
from dashboard.common import require_warehouse
from dashboard.format import counted, day, number, short_day
from dashboard.i18n import catalogue, language, t
from dashboard.quarantine_csv import COLUMNS, matching, to_csv
from dashboard.tables import fit
from pipelines.errors import OkrfunnelError

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls"]
ALL = "*"
AUTO = ""

selection = st.session_state["selection"]
lang = language()
year = date.today().year  # table dates say their year only when it is not this (the cycle's: see below)


def when(value) -> str:
    """A date, or a date and time, short: the year only when it is not this one."""
    return short_day(value, lang, year)


def kept(widget, label: str, options: list, key: str, default, **kwargs):
    """A selectbox or multiselect whose options are shown through the catalogue. Streamlit keeps
    such a widget's value as its shown text, which a language switch changes: one widget per
    language (``key_en``, ``key_zh``), the choice kept apart in ``key`` (set it there to choose)."""
    chosen = st.session_state.get(key, default)
    if isinstance(default, list):  # a multiselect
        chosen = [c for c in chosen if c in options]
    elif chosen not in options:
        chosen = default
    own = f"{key}_{lang}"
    st.session_state[own] = chosen
    st.session_state[key] = widget(label, options, key=own,
                                   on_change=lambda: st.session_state.update({key: st.session_state[own]}), **kwargs)
    return st.session_state[key]


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
        st.info(counted("data.upload_see_quarantine", o["rows_set_aside"], lang, run=o["run_id"]))


def upload() -> None:
    if not current_user().can("admin"):  # writes.ingest_upload refuses too; this spares a dead form
        return
    outcome = st.session_state.get("data_upload_outcome")
    with st.expander(t("data.upload"), expanded=selection.key is None or outcome is not None, icon="📤"):
        st.caption(t("data.upload_help", db=str(data.warehouse())))
        file = st.file_uploader(t("data.upload_file"), type=UPLOAD_TYPES, key="data_upload")
        left, right = st.columns(2)
        # The newer export wins a day another export also covers: an old file must say it is old.
        exported = left.date_input(t("data.upload_export_date"), value=date.today(), key="data_upload_date")
        names = [AUTO, *(s["name"] for s in data.sources())]
        auto = t("data.upload_source_auto")  # bound now: Streamlit may format outside the run
        source = kept(right.selectbox, t("data.upload_source"), names, "data_upload_source", AUTO,
                      format_func=lambda n: auto if n == AUTO else n)
        if st.button(t("data.upload_load"), disabled=file is None, type="primary", key="data_upload_load"):
            with st.spinner(t("data.upload_loading", file=file.name)):
                try:
                    outcome = writes.ingest_upload(current_user(), file.name, file.getvalue(), exported, None if source == AUTO else source)
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
with st.expander(t("data.sources", count=len(known)), icon="🧩"):  # (12): no count noun to agree
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
# The year dates in tables go without: the chosen cycle's, else the newest data's.
year = next((c["start"].year for c in selection.cycles if c["label"] == selection.cycle), newest.year if newest else year)
behind = {f["source"]: (newest - f["data_to"]).days if newest and f["data_to"] else None for f in fresh}
stale = [s for s, d in behind.items() if d is not None and d > data.STALE_DATA_DAYS]
if stale:
    st.warning(t("data.stale", sources=", ".join(stale), days=data.STALE_DATA_DAYS, day=day(newest, lang)))
# Column widths (px) that fit the main area at 1400 px with the sidebar open; long headers say the
# rest in their help.
FRESH_WIDTHS = {"source": 150, "title": 180, "data_to": 84, "behind": 72, "state": 84, "last_export": 88,
                "last_loaded": 108, "runs": 72, "set_aside_last_run": 76}
RIGHT = {"behind", "runs", "set_aside_last_run", "rows_read", "rows_loaded", "rows_set_aside", "rows_skipped",
         "element_count", "unexpected_count"}


def columns_of(widths: dict[str, int]) -> dict:
    return {c: st.column_config.TextColumn(t(f"data.col_{c}"), width=w, alignment="right" if c in RIGHT else None,
                                           help=t(f"data.col_{c}_help") if f"data.col_{c}_help" in catalogue(lang) else None)
            for c, w in widths.items()}


st.dataframe(pd.DataFrame([{
    "source": f["source"], "title": fit(titles.get(f["source"], "–"), FRESH_WIDTHS["title"]), "data_to": when(f["data_to"]),
    "behind": "–" if behind[f["source"]] is None else counted("data.days", behind[f["source"]], lang, "days"),
    "state": "🟠 " + t("data.state_stale") if f["source"] in stale else "🟢 " + t("data.state_current"),
    "last_export": when(f["last_export"]), "last_loaded": when(f["last_loaded"]), "runs": count(f["runs"]),
    "set_aside_last_run": count(f["set_aside_last_run"]),
} for f in fresh], columns=list(FRESH_WIDTHS)), hide_index=True, key="data_freshness", column_config=columns_of(FRESH_WIDTHS))
st.subheader(t("data.runs"))
# A finished run's status is its set-aside count (loaded, or loaded with rows set aside): the status
# column shows only when a run is in another state (still loading).
RUN_WIDTHS = {"file_name": 170, "source": 130, "covers": 158, "export_date": 72, "finished_at": 104, "status": 90,
              "rows_read": 58, "rows_loaded": 62, "rows_set_aside": 70, "rows_skipped": 64}
unusual = any(r["status"] not in ("loaded", "loaded_with_rows_set_aside") for r in runs)
st.dataframe(pd.DataFrame([{
    "run_id": r["run_id"], "file_name": fit(r["file_name"], RUN_WIDTHS["file_name"], middle=True),
    "source": fit(r["source"], RUN_WIDTHS["source"]),
    "covers": f"{when(r['date_from'])} – {when(r['date_to'])}", "export_date": when(r["export_date"]),
    "finished_at": when(r["finished_at"]), "status": t(f"data.status_{r['status']}"),
    **{c: count(r[c]) for c in ("rows_read", "rows_loaded", "rows_set_aside", "rows_skipped")},
} for r in reversed(runs)], columns=["run_id", *RUN_WIDTHS]), hide_index=True, key="data_runs",
    column_order=["run_id", *(c for c in RUN_WIDTHS if c != "status" or unusual)],
    column_config={"run_id": st.column_config.NumberColumn("ID", format="%d", width=44)} | columns_of(RUN_WIDTHS))

by_id = {r["run_id"]: r for r in runs}
run_id = st.selectbox(t("data.validations_of"), list(reversed(by_id)), key="data_v_run",
                      format_func=lambda i: f"#{i} · {by_id[i]['file_name']}")
checks = data.validations(selection.key, run_id)
failed = sum(not c["success"] for c in checks)
st.caption(counted("data.checks", len(checks), lang, "total", failed=count(failed)))
st.dataframe(pd.DataFrame([{
    "expectation": c["expectation"], "column": c["column"] or "–", "reason": c["reason"],
    "success": "✅ " + t("data.passed") if c["success"] else "❌ " + t("data.failed"),
    "element_count": count(c["element_count"]), "unexpected_count": count(c["unexpected_count"]),
} for c in checks], columns=["expectation", "column", "reason", "success", "element_count", "unexpected_count"]),
    hide_index=True, key="data_validations",
    column_config=columns_of({"expectation": 250, "column": 90, "reason": 270, "success": 90, "element_count": 90,
                              "unexpected_count": 90}))

st.subheader(t("data.quarantine"))
if st.session_state.get("data_q_run") not in [ALL, *by_id]:
    st.session_state["data_q_run"] = ALL
all_runs = t("data.all_runs")  # bound now: Streamlit may format outside the run
run_pick = kept(st.selectbox, t("data.q_run"), [ALL, *reversed(by_id)], "data_q_run", ALL,
                format_func=lambda i: all_runs if i == ALL else f"#{i} · {by_id[i]['file_name']}")
rows = data.quarantine(selection.key, None if run_pick == ALL else run_pick)
if not rows:
    st.success(t("data.no_quarantine"))
    st.stop()
left, middle, right, search = st.columns(4)
every = t("data.q_every")  # the placeholder of an empty filter: it keeps every row
files = left.multiselect(t("data.col_file"), sorted({r["file"] for r in rows}), key="data_q_file", placeholder=every)
whole_line = t("data.whole_line")
columns = kept(middle.multiselect, t("data.col_column"), sorted({r["column"] or "" for r in rows}), "data_q_column", [],
               format_func=lambda c: c or whole_line, placeholder=every)
reasons = right.multiselect(t("data.col_reason"), sorted({r["reason"] for r in rows}), key="data_q_reason",
                            placeholder=every, help=t("data.col_reason_help"))
text = search.text_input(t("data.q_search"), key="data_q_search")
shown = matching(rows, files, columns, reasons, text)
st.caption(counted("data.q_count", len(rows), lang, "total", shown=count(len(shown))))
st.dataframe(pd.DataFrame(shown, columns=list(COLUMNS)), hide_index=True, key="data_quarantine",
             column_config={"run_id": st.column_config.NumberColumn("ID", format="%d", width=44),
                            "row": st.column_config.NumberColumn(t("data.col_row"), format="%d", width=60),
                            "raw_row": st.column_config.JsonColumn(t("data.col_raw_row"), width=110)}
             | columns_of({"file": 190, "column": 100, "value": 110, "reason": 210, "check": 110}))
st.download_button(counted("data.download", len(shown), lang), to_csv(shown), file_name="okrfunnel_quarantine.csv",
                   mime="text/csv", on_click="ignore", disabled=not shown, key="data_q_download", icon="⬇️")
st.caption(t("data.download_help"))
