"""Every number the dashboard shows, fetched through the shared layer (``pipelines.okr_eval``,
``okr_confidence``, ``okr_impact``, ``metrics``, ``catalog``) and cached. Pages call these and
never touch DuckDB.

Working beside the pipeline (FACTS.md, "DuckDB between processes"):
- writers never open the live file: they load a copy and swap it in (``os.replace``), so a reader
  is never blocked and never sees half a load;
- a process that still has the old file open gets the old data back from ``duckdb.connect``, so a
  connection lives for one query and no two are open at once in this process (``_ONE_AT_A_TIME``);
  the next query after a swap then opens the new file;
- cached results are keyed by the file's identity (inode, size, modification time), so new data
  shows on the next rerun after a load, without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pipelines.config import Settings, load_settings
from pipelines.errors import WarehouseError

STALE_DATA_DAYS = 7  # a source whose data ends more than a week before the newest is flagged
_ONE_AT_A_TIME = threading.Lock()
_LOCK_RETRIES = 20  # x 0.25 s: another program holding the file (never okrfunnel itself)
Identity = tuple[int, int, int, int] | None


def settings() -> Settings:
    """okrfunnel.toml, with the warehouse ``okrfunnel dashboard --db`` passed in OKRFUNNEL_DB."""
    return load_settings()


def warehouse() -> Path:
    return settings().db


def identity(db: Path | None = None) -> Identity:
    """Changes whenever a writer swaps a new file in, or okrfunnel.toml changes (currency, rates,
    thresholds shape the numbers too); None when there is no warehouse."""
    try:
        st_ = (db or warehouse()).stat()
    except FileNotFoundError:
        return None
    return (st_.st_ino, st_.st_size, st_.st_mtime_ns, hash(repr(settings())))


def _query(fn: Callable, *args, **kwargs):
    """Run ``fn(con, *args, **kwargs)`` on a fresh read-only connection, closed before the next opens."""
    from pipelines.warehouse import reader

    db = warehouse()
    for attempt in range(_LOCK_RETRIES):
        try:
            with _ONE_AT_A_TIME, reader(db) as con:
                before = identity(db)
                result = fn(con, *args, **kwargs)
            if identity(db) != before and get_script_run_ctx() is not None:
                # A load swapped the file in while this page was drawing: some numbers would be
                # the old file's, some the new one's. Draw the page again, all from the new file.
                st.rerun()
            return result
        except WarehouseError as exc:
            if not exc.details.get("locked") or attempt == _LOCK_RETRIES - 1:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


# Every cached function takes the warehouse identity first, so a swapped-in file misses the cache.
_CACHE = {"ttl": 3600, "max_entries": 128, "show_spinner": False}


@st.cache_data(**_CACHE)
def cycles(key: Identity) -> list[dict]:
    from pipelines.okr_eval import cycles as all_cycles

    return [c.__dict__ | {"days": c.days} for c in _query(all_cycles)]


@st.cache_data(**_CACHE)
def reporting_currency(key: Identity) -> str | None:
    """okrfunnel.toml's reporting currency, else the one currency the data holds."""
    from pipelines.catalog import currencies

    found = _query(currencies)
    return settings().reporting_currency or (found[0] if len(found) == 1 else None)


def key_results(key: Identity, cycle: str, as_of: date | None = None) -> list[dict]:
    """``okrfunnel krs`` for the cycle (as of the newest data unless ``as_of``)."""
    return _key_results(key, cycle, as_of)


@st.cache_data(**_CACHE)
def _key_results(key: Identity, cycle: str, as_of: date | None) -> list[dict]:
    # Called with every argument given, so (key, cycle) and (key, cycle, None) share an entry.
    from pipelines.okr_eval import evaluate

    return _query(evaluate, cycle, as_of, settings())


@st.cache_data(**_CACHE)
def objectives(key: Identity, cycle: str, as_of: date | None = None) -> list[dict]:
    from pipelines.okr_eval import objectives as objective_rows

    rows = key_results(key, cycle, as_of)
    return _query(lambda con: objective_rows(con, cycle, rows))


@st.cache_data(**_CACHE)
def drift(key: Identity, cycle: str, as_of: date) -> list[dict]:
    from pipelines.okr_confidence import drift as drift_rows

    return _query(drift_rows, cycle, as_of)


@st.cache_data(**_CACHE)
def calibration(key: Identity) -> list[dict]:
    from pipelines.okr_confidence import calibration as calibration_rows

    return _query(calibration_rows, settings())


@st.cache_data(**_CACHE)
def impact(key: Identity, cycle: str, as_of: date | None = None) -> list[dict]:
    from pipelines.okr_impact import impact as impact_rows

    return _query(impact_rows, cycle, settings(), as_of)


@st.cache_data(**_CACHE)
def metrics(key: Identity, periods: tuple[tuple[str, date, date], ...], names: tuple[str, ...],
            by: str | None = None, filters: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> list[dict]:
    """``metrics.compute`` over periods given as (label, start, end)."""
    from pipelines.metrics import Period, compute

    found = [Period(label, start, end, "range") for label, start, end in periods]
    return _query(compute, found, list(names), by=by, filters={d: list(v) for d, v in filters}, settings=settings())


@st.cache_data(**_CACHE)
def kr_path(key: Identity, cycle: str, kr_id: str, as_of: date) -> list[dict]:
    """The KR's metric to date at the end of each day of the cycle so far."""
    from pipelines.okr_eval import path_of

    return _query(path_of, cycle, kr_id, as_of, settings())


@st.cache_data(**_CACHE)
def tasks(key: Identity, cycle: str) -> list[dict]:
    from pipelines.okr_store import tasks as task_rows

    return _query(task_rows, cycle)


@st.cache_data(**_CACHE)
def revisions(key: Identity, cycle: str | None) -> list[dict]:
    from pipelines.okr_store import revisions as revision_rows

    return _query(revision_rows, cycle)


@st.cache_data(**_CACHE)
def runs(key: Identity) -> list[dict]:
    from pipelines.catalog import runs as run_rows

    return _query(run_rows)


@st.cache_data(**_CACHE)
def quarantine(key: Identity, run_id: int | None = None) -> list[dict]:
    from pipelines.catalog import quarantine as quarantine_rows

    return _query(quarantine_rows, run_id)


@st.cache_data(**_CACHE)
def validations(key: Identity, run_id: int) -> list[dict]:
    from pipelines.catalog import validations as validation_rows

    return _query(validation_rows, run_id)


@st.cache_data(**_CACHE)
def freshness(key: Identity) -> list[dict]:
    from pipelines.catalog import freshness as freshness_rows

    return _query(freshness_rows)


def sources() -> list[dict]:
    from pipelines.registry import Registry

    found = Registry.load(tuple(settings().sources_dirs))
    return [{"name": s.name, "fact": s.fact, "title": s.title, "builtin": s.builtin, "file": str(s.path)}
            for s in found.specs.values()]


@st.cache_data(**_CACHE)
def report_data(key: Identity, cycle: str, as_of: date | None = None):
    """What the Present page and the report show (``dashboard.report_content.gather``)."""
    from dashboard.report_content import gather

    return _query(gather, cycle, as_of, settings())


@st.cache_data(**_CACHE)
def task_changes(key: Identity, cycle: str) -> list[dict]:
    """Every change of the cycle's key tasks (the Week page's history)."""
    from pipelines.okr_store import task_changes as change_rows

    return _query(change_rows, cycle)


@st.cache_data(**_CACHE)
def scores(key: Identity, cycle: str) -> list[dict]:
    """The Evaluation page's rows: KRs, roll-ups and people (``okrfunnel scores``)."""
    from pipelines.okr_scores import scores as score_rows

    return _query(score_rows, cycle, settings())


@st.cache_data(**_CACHE)
def score_history(key: Identity, cycle: str) -> list[dict]:
    from pipelines.okr_scores import history

    return _query(history, cycle)


@st.cache_data(**_CACHE)
def review_notes(key: Identity, cycle: str) -> dict[str, list[dict]]:
    from pipelines.okr_scores import review_notes as notes

    return _query(notes, cycle)


@st.cache_data(**_CACHE)
def cycle_events(key: Identity, cycle: str) -> list[dict]:
    from pipelines.okr_store import cycle_events as events

    return _query(events, cycle)
