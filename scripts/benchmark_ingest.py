"""Benchmark `okrfunnel ingest` on a large HubSpot contacts export against DuckDB's own floor.

Why: an analyst's CRM export can hold millions of leads. Ingest reads, types, validates (Great
Expectations), quarantines and loads them; this command says what that costs next to the fastest
thing DuckDB can do with the same file, on this machine, and whether it meets the targets:
okrfunnel within 2.5x the floor's wall time, and under 1.5 GB peak memory.

How:
1. Generate a deterministic HubSpot-format contacts export of N leads with one DuckDB
   ``COPY (SELECT ... FROM range(N)) TO ... (HEADER)``: every column is derived from
   ``hash(i, seed, k)``, dates span 18 months with funnel drop-off, and about 0.1% of rows are
   planted bad (unparseable Create Date, negative Recent Deal Amount, missing Record ID), so the
   quarantine path runs.
2. Measure, each in a fresh child process (wall time, and peak RSS from ``os.wait4`` of that
   child alone):
   - the floor: ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` into a new DuckDB file;
   - ``okrfunnel ingest FILE --db NEW --export-date D`` (D after every generated date).
3. Check the warehouse: rows loaded + set aside + skipped == rows in the file, and the rows set
   aside are exactly the planted bad rows (per kind).
4. Print every figure, a PASS/MISS verdict per target, and one JSON line with all numbers.

``--profile`` also runs the ingest through ``pipelines.loading.ingest_file`` inside
``pipelines.warehouse.writer`` (in a child process, so its memory is its own) and reports the time
and peak RSS of each ``on_step`` phase, the writer's open (copy, migrate) and final swap
(checkpoint, close, rename), the main functions inside the phases, and the slowest SQL statements
the loader and Great Expectations ran. The function table times whatever okrfunnel functions
``pipelines.loading`` calls, so it follows renames in the loader.

Usage (Linux; the venv's Python so that ``pipelines`` and ``okrfunnel`` are found)::

    .venv/bin/python scripts/benchmark_ingest.py --rows 1000000 --profile
    .venv/bin/python scripts/benchmark_ingest.py --repeat 3 --workdir /tmp/bench --keep

This is a benchmark, not a test: it takes minutes at the default 5,000,000 rows and writes a
~0.8 GB file. Run one at a time; two at once measure each other.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Self

import duckdb

TARGET_RATIO = 2.5
TARGET_PEAK_BYTES = 1.5e9  # "1.5 GB", decimal: the stricter reading
MB = 1e6
BAD_ROW_RATE = 0.001
FIRST_CREATE_DATE = date(2025, 1, 1)
CREATE_SPAN_DAYS = 548  # ~18 months of lead creation
STAGE_GAP_DAYS = 30  # a stage is entered up to this long after the previous one
# Share of leads reaching each stage, given the previous one (most leads never become MQLs).
FUNNEL = {"mql": 0.22, "sql": 0.35, "opportunity": 0.45, "customer": 0.30}

# HubSpot "Original Traffic Source" display values, weight (per 100), and Drill-Down 1 values.
TRAFFIC_SOURCES = {
    "Organic Search": (22, ["google", "bing", "duckduckgo", "baidu"]),
    "Paid Search": (18, ["google", "bing"]),
    "Paid Social": (12, ["linkedin", "facebook", "instagram"]),
    "Direct Traffic": (12, ["Unknown keywords (SSL)", "www.example.com/pricing", "www.example.com/"]),
    "Email Marketing": (9, ["Q1 newsletter", "Product update", "Webinar invite", "Nurture 3"]),
    "Organic Social": (8, ["linkedin", "twitter", "facebook"]),
    "Referrals": (7, ["g2.com", "capterra.com", "partner.example.org"]),
    "Offline Sources": (5, ["IMPORT", "CRM_UI", "INTEGRATION", "API"]),
    "Other Campaigns": (4, ["spring-promo", "trade-show-2025"]),
    "AI Referrals": (3, ["chatgpt.com", "perplexity.ai", "gemini.google.com"]),
}
COUNTRIES = {
    "United States": 30, "United Kingdom": 10, "Germany": 9, "China": 8, "France": 6, "India": 6,
    "Canada": 5, "Australia": 4, "Netherlands": 4, "Japan": 4, "Brazil": 3, "Spain": 3,
    "Singapore": 2, "Sweden": 2, "Mexico": 2, "Ireland": 2,
}
FIRST_NAMES = ["Ann", "Bo", "Cai", "Dan", "Eve", "Fay", "Gus", "Hal", "Ida", "Jun", "Kim", "Lea",
               "Max", "Nia", "Oscar", "Pia", "Qing", "Raj", "Sara", "Tom", "Uma", "Vic", "Wei", "Yan"]
LAST_NAMES = ["Smith", "Chen", "Garcia", "Müller", "Wang", "Patel", "Brown", "Li", "Kim", "Rossi",
              "Dubois", "Tanaka", "Silva", "Novak", "O'Brien", "Zhang", "Jones", "Schmidt"]
EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example.io"]
OWNERS = ["Alice Moreau", "Ben Okafor", "Chloe Park", "Diego Ruiz", "Elena Petrova", "Feng Liu",
          "Grace Hall", "Hiro Sato"]
BAD_KINDS = {  # planted kind -> the heading its quarantine row names
    "unparseable_date": "Create Date",
    "negative_amount": "Recent Deal Amount",
    "missing_record_id": "Record ID",
}
BAD_DATES = ["not a date", "2025-13-01 09:00", "00/00/0000"]

FLOOR_CHILD = """
import json, sys, time, duckdb
csv, db = sys.argv[1], sys.argv[2]
started = time.perf_counter()
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE t AS SELECT * FROM read_csv('" + csv.replace("'", "''") + "')")
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
con.close()
print(json.dumps({"rows": rows, "ctas_seconds": time.perf_counter() - started}))
"""


# --- generating the export ----------------------------------------------------------------------


@dataclass
class Export:
    path: Path
    rows: int
    bytes: int
    seconds: float
    planted: dict[str, int]  # bad kind -> rows
    last_date: date

    @property
    def planted_total(self) -> int:
        return sum(self.planted.values())


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pick(values: list[str], k: int) -> str:
    """SQL: one of ``values``, uniformly by hash ``k`` of the row."""
    return f"[{', '.join(_lit(v) for v in values)}][1 + floor(u(i, {k}) * {len(values)})::INT]"


def _pick_weighted(weights: dict[str, int], k: int) -> str:
    return _pick([name for name, w in weights.items() for _ in range(w)], k)


def _stage_heading(stage: str) -> str:
    """HubSpot's stage-date heading, as a quoted SQL identifier."""
    return '"Date entered ""' + stage + ' (Lifecycle Stage Pipeline)"""'


def _hubspot_time(column: str) -> str:
    return f"strftime({column}, '%Y-%m-%d %H:%M')"


def export_sql(rows: int) -> str:
    """The generated contacts, as a query over ``range(rows)`` (macro ``u`` must exist)."""
    gap = STAGE_GAP_DAYS * 24 * 60
    drill = "CASE source " + " ".join(
        f"WHEN {_lit(name)} THEN {_pick(values, 12)}" for name, (_, values) in TRAFFIC_SOURCES.items()
    ) + " END"
    kinds = list(BAD_KINDS)
    return f"""
    WITH base AS (
        SELECT
            i,
            CASE WHEN u(i, 1) < {BAD_ROW_RATE} THEN {_pick(kinds, 2)} END AS bad,
            TIMESTAMP '{FIRST_CREATE_DATE}' + to_minutes(floor(u(i, 3) * {CREATE_SPAN_DAYS * 24 * 60})::BIGINT) AS created,
            {_pick_weighted({k: w for k, (w, _) in TRAFFIC_SOURCES.items()}, 11)} AS source,
            {_pick(FIRST_NAMES, 13)} AS first_name,
            {_pick(LAST_NAMES, 14)} AS last_name
        FROM range({rows}) AS r(i)
    ),
    funnel AS (
        SELECT
            *,
            CASE WHEN u(i, 4) < {FUNNEL['mql']} THEN created + to_minutes(30 + floor(u(i, 5) * {gap})::BIGINT) END AS mql,
            CASE WHEN mql IS NOT NULL AND u(i, 6) < {FUNNEL['sql']} THEN mql + to_minutes(30 + floor(u(i, 7) * {gap})::BIGINT) END AS sql,
            CASE WHEN sql IS NOT NULL AND u(i, 8) < {FUNNEL['opportunity']} THEN sql + to_minutes(30 + floor(u(i, 9) * {gap})::BIGINT) END AS opp,
            CASE WHEN opp IS NOT NULL AND u(i, 10) < {FUNNEL['customer']} THEN opp + to_minutes(30 + floor(u(i, 15) * {gap})::BIGINT) END AS won
        FROM base
    )
    SELECT
        CASE WHEN bad IS DISTINCT FROM 'missing_record_id' THEN (51000001 + i)::VARCHAR END AS "Record ID",
        first_name AS "First Name",
        last_name AS "Last Name",
        lower(replace(first_name || '.' || last_name, '''', '')) || '.' || i || '@' || {_pick(EMAIL_DOMAINS, 16)} AS "Email",
        CASE WHEN u(i, 17) < 0.45 THEN '+1 ' || (200 + floor(u(i, 18) * 800)::INT) || ' 555 '
             || lpad((floor(u(i, 19) * 10000)::INT)::VARCHAR, 4, '0') END AS "Phone Number",
        CASE WHEN bad = 'unparseable_date' THEN {_pick(BAD_DATES, 20)} ELSE {_hubspot_time('created')} END AS "Create Date",
        {_hubspot_time('mql')} AS {_stage_heading('Marketing Qualified Lead')},
        {_hubspot_time('sql')} AS {_stage_heading('Sales Qualified Lead')},
        {_hubspot_time('opp')} AS {_stage_heading('Opportunity')},
        {_hubspot_time('won')} AS {_stage_heading('Customer')},
        source AS "Original Traffic Source",
        {drill} AS "Original Traffic Source Drill-Down 1",
        {_pick_weighted(COUNTRIES, 21)} AS "Country/Region",
        CASE WHEN bad = 'negative_amount' THEN '-' || (100 + floor(u(i, 22) * 5000)::INT)
             WHEN opp IS NOT NULL THEN (1000 + floor(u(i, 22) * 49000)::INT)::VARCHAR END AS "Recent Deal Amount",
        CASE WHEN won IS NOT NULL THEN 'Customer' WHEN opp IS NOT NULL THEN 'Opportunity'
             WHEN sql IS NOT NULL THEN 'Sales Qualified Lead' WHEN mql IS NOT NULL THEN 'Marketing Qualified Lead'
             ELSE 'Lead' END AS "Lifecycle Stage",
        CASE WHEN u(i, 23) < 0.85 THEN {_pick(OWNERS, 24)} END AS "Contact owner",
        bad AS _bad,
        greatest(created, mql, sql, opp, won) AS _last
    FROM funnel
    """


def generate_export(path: Path, rows: int, seed: int) -> Export:
    """Write the export with DuckDB (quoted like HubSpot's) and return what was planted in it."""
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE TEMP MACRO u(i, k) AS (hash(i, {int(seed)}, k) % 1000000007) / 1000000007.0")
        con.execute(f"CREATE TEMP VIEW contacts AS {export_sql(rows)}")
        con.execute(f"COPY (SELECT * EXCLUDE (_bad, _last) FROM contacts) TO {_lit(str(path))} (HEADER, FORCE_QUOTE *)")
        planted = dict(con.execute("SELECT _bad, count(*) FROM contacts WHERE _bad IS NOT NULL GROUP BY 1").fetchall())
        last = con.execute("SELECT max(_last)::DATE FROM contacts").fetchone()[0]
    return Export(path, rows, path.stat().st_size, time.perf_counter() - started,
                  {k: planted.get(k, 0) for k in BAD_KINDS}, last)


# --- measuring child processes ------------------------------------------------------------------


@dataclass
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system of the child: less sensitive than wall time to a busy machine
    peak_bytes: int
    returncode: int
    stdout: str
    stderr: str
    other_cpu_seconds: float | None = None  # CPU that other programs used meanwhile: noise
    inner_seconds: float | None = None  # the floor's connect + CREATE TABLE AS alone, without start-up


def busy_cores(over: float = 1.0) -> float | None:
    """How many cores are busy right now (sampled over ``over`` seconds while this one sleeps)."""
    before = _busy_cpu_seconds()
    time.sleep(over)
    after = _busy_cpu_seconds()
    return None if before is None or after is None else (after - before) / over


def _busy_cpu_seconds() -> float | None:
    """CPU seconds all programs have used since boot (Linux /proc/stat), or None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Measurement:
    """Run ``cmd``; wall time, and the peak RSS of that child alone (``os.wait4``)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        busy_before = _busy_cpu_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        busy_after = _busy_cpu_seconds()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux (bytes on macOS).
        scale = 1 if sys.platform == "darwin" else 1024
        cpu = usage.ru_utime + usage.ru_stime
        other = None if busy_before is None or busy_after is None else max(busy_after - busy_before - cpu, 0.0)
        return Measurement(seconds, cpu, usage.ru_maxrss * scale, proc.returncode, out.read(), err.read(), other)


def okrfunnel_executable() -> str:
    beside = Path(sys.executable).with_name("okrfunnel")
    found = str(beside) if beside.exists() else shutil.which("okrfunnel")
    if not found:
        sys.exit("okrfunnel is not installed in this Python; run with the project's .venv/bin/python")
    return found


def child_env() -> dict[str, str]:
    """This environment minus settings that would point okrfunnel at another warehouse or config."""
    env = {k: v for k, v in os.environ.items() if k not in ("OKRFUNNEL_DB", "OKRFUNNEL_CONFIG", "OKRFUNNEL_DEBUG")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def measure_floor(export: Export, db: Path, workdir: Path) -> Measurement:
    m = run_measured([sys.executable, "-c", FLOOR_CHILD, str(export.path), str(db)], workdir, child_env())
    if m.returncode != 0:
        sys.exit(f"floor run failed:\n{m.stderr}")
    result = json.loads(m.stdout.strip().splitlines()[-1])
    if result["rows"] != export.rows:
        sys.exit(f"floor read {result['rows']} rows, the file has {export.rows}")
    m.inner_seconds = result["ctas_seconds"]
    return m


def measure_ingest(export: Export, db: Path, workdir: Path, export_date: date) -> Measurement:
    cmd = [okrfunnel_executable(), "ingest", str(export.path), "--db", str(db),
           "--export-date", export_date.isoformat(), "--format", "json"]
    m = run_measured(cmd, workdir, child_env())
    if m.returncode != 0:
        sys.exit(f"okrfunnel ingest failed (exit {m.returncode}):\n{m.stderr}")
    return m


# --- checking the warehouse ---------------------------------------------------------------------


@dataclass
class Verification:
    rows_read: int
    rows_loaded: int
    rows_set_aside: int
    rows_skipped: int
    set_aside_by_column: dict[str, int]
    leads_in_warehouse: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: Path, export: Export) -> Verification:
    """Every row accounted for, and exactly the planted rows set aside, each for its planted reason."""
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT rows_read, rows_loaded, rows_set_aside, rows_skipped FROM ingest_run").fetchall()
        by_column = dict(con.execute(
            "SELECT column_name, count(DISTINCT row_number) FROM quarantine GROUP BY 1 ORDER BY 1"
        ).fetchall())
        quarantined_rows = con.execute("SELECT count(DISTINCT row_number) FROM quarantine").fetchone()[0]
        leads = con.execute("SELECT count(*) FROM lead_state").fetchone()[0]
    if len(runs) != 1:
        return Verification(0, 0, 0, 0, by_column, leads, [f"expected 1 ingest run, found {len(runs)}"])
    read, loaded, set_aside, skipped = runs[0]
    v = Verification(read, loaded, set_aside, skipped, by_column, leads)
    if loaded + set_aside + skipped != export.rows:
        v.problems.append(f"loaded {loaded} + set aside {set_aside} + skipped {skipped} != {export.rows} rows in the file")
    if set_aside != export.planted_total or quarantined_rows != export.planted_total:
        v.problems.append(f"set aside {set_aside} ({quarantined_rows} rows in quarantine), planted {export.planted_total}")
    expected = {BAD_KINDS[k]: n for k, n in export.planted.items() if n}
    if by_column != expected:
        v.problems.append(f"set aside by column {by_column}, planted {expected}")
    if leads != loaded:
        v.problems.append(f"lead_state holds {leads} leads, {loaded} rows were loaded")
    return v


# --- profile: the phases of one in-process ingest -----------------------------------------------


class _RssSampler:
    """Resident memory of this process every few milliseconds (Linux /proc), for per-phase peaks."""

    def __init__(self, every: float = 0.01):
        self.samples: list[tuple[float, int]] = []
        self._every, self._stop = every, threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self._rss()))
            time.sleep(self._every)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float, end: float) -> int:
        """Highest sample within [start, end], or the last one before it for a very short span."""
        inside = [rss for t, rss in self.samples if start <= t <= end]
        before = [rss for t, rss in self.samples if t < start][-1:]
        return max(inside or before or [0])


class _Timeline:
    """Named spans (phases, functions) and SQL statements, with start and end times."""

    def __init__(self):
        self.spans: list[tuple[str, float, float]] = []  # (name, start, end)
        self.statements: list[tuple[str, float, float]] = []  # (sql, start, end)

    @contextmanager
    def span(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spans.append((name, start, time.perf_counter()))

    def wrap(self, module, name: str, label: str | None = None) -> None:
        """Time every call of ``module.name`` (skipped if the function is gone)."""
        original: Callable | None = getattr(module, name, None)
        if original is None:
            return

        def timed(*args, **kwargs):
            with self.span(label or name):
                return original(*args, **kwargs)

        setattr(module, name, timed)


class _TimedConnection:
    """A DuckDB connection that logs how long each ``execute`` and ``executemany`` took."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timeline: _Timeline):
        self._con, self._timeline = con, timeline

    def _timed(self, method: str, sql: str, *args, **kwargs):
        start = time.perf_counter()
        try:
            return getattr(self._con, method)(sql, *args, **kwargs)
        finally:
            self._timeline.statements.append((" ".join(str(sql).split()), start, time.perf_counter()))

    def execute(self, sql, *args, **kwargs):
        return self._timed("execute", sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        return self._timed("executemany", sql, *args, **kwargs)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self._con.close()

    def __getattr__(self, name):
        return getattr(self._con, name)


def _time_sqlalchemy_statements(timeline: _Timeline) -> None:
    """Log the SQL that Great Expectations sends through SQLAlchemy (duckdb_engine) too."""
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:
        return

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("_bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        start = conn.info["_bench_started"].pop()
        timeline.statements.append(("GX: " + " ".join(str(statement).split()), start, time.perf_counter()))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)


class _DuckDBWithTimedConnections:
    """Stands in for the ``duckdb`` module inside the loader: same names, timed connections."""

    def __init__(self, timeline: _Timeline):
        self._timeline = timeline

    def connect(self, *args, **kwargs) -> _TimedConnection:
        return _TimedConnection(duckdb.connect(*args, **kwargs), self._timeline)

    def __getattr__(self, name):
        return getattr(duckdb, name)


def _pipeline_functions(module, skip: set[str]) -> list[str]:
    """Names of the okrfunnel functions ``module`` calls through its globals (whatever they are
    called in this version of the loader)."""
    return [
        name for name, obj in vars(module).items()
        if inspect.isfunction(obj) and obj.__module__.startswith("pipelines.") and name not in skip
    ]


def _import_gx_inside_run_suite(loading, timeline: _Timeline) -> None:
    """Time apart how long validation still waits for the Great Expectations import, which the
    loader starts in the background while it reads (``GX context`` is that whole import)."""
    original = getattr(loading, "run_suite", None)
    if original is None:
        return

    def run_suite(*args, **kwargs):
        with timeline.span("GX import (still to wait for)"):
            import great_expectations  # noqa: F401
        return original(*args, **kwargs)

    loading.run_suite = run_suite


def profile_child(csv: Path, db: Path, export_date: date) -> dict:
    """One ingest through ``ingest_file`` inside ``writer``; phases, functions and statements timed."""
    started = time.perf_counter()
    from pipelines import loading, merge, validation, warehouse
    from pipelines.registry import Registry

    timeline = _Timeline()
    timed_duckdb = _DuckDBWithTimedConnections(timeline)
    loading.duckdb = timed_duckdb
    warehouse.duckdb = timed_duckdb
    to_time = _pipeline_functions(loading, skip={"ingest_file", "_ingest"})
    _import_gx_inside_run_suite(loading, timeline)
    _time_sqlalchemy_statements(timeline)
    for name in to_time:
        timeline.wrap(loading, name)
    timeline.wrap(merge, "merge", "merge.merge")
    timeline.wrap(validation, "_gx_context", "GX context")
    imported = time.perf_counter()

    # Wall and CPU clocks side by side: on a machine others use too, the CPU seconds of each
    # phase (all of this process's threads) move much less than its wall time.
    steps: list[tuple[str, float, float]] = []
    with _RssSampler() as rss:
        t_open, c_open = time.perf_counter(), time.process_time()
        with warehouse.writer(db) as w:
            t_opened, c_opened = time.perf_counter(), time.process_time()
            outcome = loading.ingest_file(
                w, csv, Registry.load(), export_date=export_date,
                on_step=lambda step: steps.append((step, time.perf_counter(), time.process_time())),
            )
            t_returned, c_returned = time.perf_counter(), time.process_time()
        t_closed, c_closed = time.perf_counter(), time.process_time()
    if outcome.status == "failed":
        raise SystemExit(f"profile ingest failed: {outcome.message}")

    bounds = [("writer open (copy, migrate)", t_open, t_opened, c_open, c_opened)]
    marks = steps + [("(end of ingest_file)", t_returned, c_returned)]
    if steps:
        bounds.append(("(before hashing)", t_opened, steps[0][1], c_opened, steps[0][2]))
    bounds += [(step, t, marks[i + 1][1], c, marks[i + 1][2]) for i, (step, t, c) in enumerate(marks[:-1])]
    bounds.append(("writer swap (checkpoint, close, rename)", t_returned, t_closed, c_returned, c_closed))

    def phase_of(t: float) -> str:
        return next((name for name, a, b, *_ in reversed(bounds) if a <= t <= b), "?")

    functions: dict[str, list[float]] = {}
    for name, a, b in timeline.spans:
        functions.setdefault(name, [0.0, 0])[0] += b - a
        functions[name][1] = max(functions[name][1], rss.peak(a, b))
    statements = sorted(
        ({"phase": phase_of(a), "seconds": round(b - a, 3), "sql": sql[:160]} for sql, a, b in timeline.statements),
        key=lambda s: -s["seconds"],
    )
    return {
        "import_seconds": imported - started,
        "total_seconds": t_closed - t_open,
        "total_cpu_seconds": c_closed - c_open,
        "rows_loaded": outcome.rows_loaded,
        "rows_set_aside": outcome.rows_set_aside,
        "phases": [{"phase": n, "seconds": round(b - a, 3), "cpu_seconds": round(cb - ca, 3), "peak_mb": round(rss.peak(a, b) / MB)}
                   for n, a, b, ca, cb in bounds],
        "functions": [{"function": n, "seconds": round(s, 3), "peak_mb": round(p / MB)} for n, (s, p) in functions.items()],
        "statements": statements[:15],
        "statements_total_seconds": round(sum(b - a for sql, a, b in timeline.statements if not sql.startswith("GX: ")), 3),
        "gx_statements_total_seconds": round(sum(b - a for sql, a, b in timeline.statements if sql.startswith("GX: ")), 3),
        "peak_mb": round(max((r for _, r in rss.samples), default=0) / MB),
    }


def run_profile(export: Export, db: Path, workdir: Path, export_date: date) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--profile-child",
           str(export.path), str(db), export_date.isoformat()]
    m = run_measured(cmd, workdir, child_env())
    if m.returncode != 0:
        sys.exit(f"profile run failed:\n{m.stderr}")
    result = json.loads(m.stdout.strip().splitlines()[-1])
    result["child_seconds"] = m.seconds
    result["child_peak_mb"] = m.peak_bytes / MB
    return result


# --- reporting ----------------------------------------------------------------------------------


def describe(m: Measurement) -> str:
    text = f"{m.seconds:.2f} s wall, {m.cpu_seconds:.1f} s CPU, peak {m.peak_bytes / MB:,.0f} MB"
    if m.other_cpu_seconds is not None:
        text += f"; other programs used {m.other_cpu_seconds:.1f} CPU-s meanwhile"
    return text


def okrfunnel_code() -> dict:
    """Which okrfunnel is measured: where ``pipelines`` is imported from, its git commit, and a
    digest of ``pipelines/`` and ``sql/`` (which also tells uncommitted or mid-run edits apart)."""
    try:
        import pipelines
    except ImportError:
        return {}
    package = Path(pipelines.__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in (package, package.parent / "sql"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".sql", ".yaml", ".txt"):
                digest.update(path.relative_to(package.parent).as_posix().encode() + path.read_bytes())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=package, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=package.parent,
                               capture_output=True, text=True, check=False).stdout
        commit += "+uncommitted" if any(line[3:].startswith(("pipelines/", "sql/")) for line in dirty.splitlines()) else ""
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {"path": str(package), "commit": commit, "digest": digest.hexdigest()[:12]}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_profile(p: dict) -> None:
    total = p["total_seconds"]
    print(f"\nProfile (in-process ingest_file inside writer; child {p['child_seconds']:.1f} s wall, "
          f"{p['child_peak_mb']:.0f} MB peak; imports {p['import_seconds']:.1f} s)")
    print(f"  {'phase':<42}{'seconds':>9}{'share':>8}{'CPU s':>8}{'peak MB':>9}")
    for ph in p["phases"]:
        print(f"  {ph['phase']:<42}{ph['seconds']:>9.2f}{ph['seconds'] / total:>8.0%}{ph['cpu_seconds']:>8.2f}{ph['peak_mb']:>9.0f}")
    print(f"  {'total':<42}{total:>9.2f}{'':>8}{p['total_cpu_seconds']:>8.2f}")
    print(f"\n  {'function (inside the phases)':<42}{'seconds':>9}{'peak MB':>9}")
    for fn in p["functions"]:
        if fn["seconds"] < 0.05:
            continue
        print(f"  {fn['function']:<42}{fn['seconds']:>9.2f}{fn['peak_mb']:>9.0f}")
    print(f"\n  slowest SQL statements ({p['statements_total_seconds']:.1f} s in the loader's own, "
          f"{p['gx_statements_total_seconds']:.1f} s in Great Expectations' (GX:)):")
    for st in p["statements"][:12]:
        print(f"  {st['seconds']:>7.2f} s  [{st['phase']}]  {st['sql'][:110]}")


def report(export: Export, floors: list[Measurement], ingests: list[Measurement],
           check: Verification, export_date: date, profile: dict | None, busy_at_start: float | None,
           code: dict) -> dict:
    floor_s = statistics.median(m.seconds for m in floors)
    ingest_s = statistics.median(m.seconds for m in ingests)
    floor_cpu = statistics.median(m.cpu_seconds for m in floors)
    ingest_cpu = statistics.median(m.cpu_seconds for m in ingests)
    floor_peak = statistics.median(m.peak_bytes for m in floors)
    ingest_peak = statistics.median(m.peak_bytes for m in ingests)
    ratio = ingest_s / floor_s
    ratio_ok, memory_ok = ratio <= TARGET_RATIO, ingest_peak < TARGET_PEAK_BYTES
    k = len(floors)
    print(f"\nResults (median of {k} run{'s' if k > 1 else ''}; each run in a fresh process and a new DuckDB file)")
    rows = [
        ("rows in the file", f"{export.rows:,}"),
        ("file size", f"{export.bytes / MB:,.1f} MB"),
        ("floor: DuckDB CREATE TABLE AS read_csv", f"{floor_s:.2f} s ({floor_cpu:.1f} s CPU), peak {floor_peak / MB:,.0f} MB"),
        ("okrfunnel ingest", f"{ingest_s:.2f} s ({ingest_cpu:.1f} s CPU), peak {ingest_peak / MB:,.0f} MB"),
        ("okrfunnel rows/s", f"{export.rows / ingest_s:,.0f}"),
        ("floor rows/s", f"{export.rows / floor_s:,.0f}"),
        ("ratio okrfunnel / floor", f"{ratio:.2f}x"),
        # Steadier on a shared machine, where a slow spell stretches one run's wall time.
        ("ratio in CPU seconds", f"{ingest_cpu / floor_cpu:.2f}x"),
    ]
    if k > 1:
        rows.append(("floor runs (s)", ", ".join(f"{m.seconds:.2f}" for m in floors)))
        rows.append(("okrfunnel runs (s)", ", ".join(f"{m.seconds:.2f}" for m in ingests)))
        rows.append(("ratio of each run's pair", ", ".join(f"{i.seconds / f.seconds:.2f}x" for f, i in zip(floors, ingests))))
    for label, value in rows:
        print(f"  {label:<40}{value}")
    print(f"  {'target: ratio <= ' + str(TARGET_RATIO) + 'x':<40}{verdict(ratio_ok)} ({ratio:.2f}x)")
    print(f"  {'target: okrfunnel peak < 1.5 GB':<40}{verdict(memory_ok)} ({ingest_peak / 1e9:.2f} GB)")
    print(f"  {'check: every row accounted for':<40}{verdict(check.ok)} "
          f"(loaded {check.rows_loaded:,} + set aside {check.rows_set_aside:,} + skipped {check.rows_skipped:,}; "
          f"planted bad {export.planted_total:,})")
    for problem in check.problems:
        print(f"    problem: {problem}")
    other = [m.other_cpu_seconds for m in (*floors, *ingests) if m.other_cpu_seconds is not None]
    wall = sum(m.seconds for m in (*floors, *ingests))
    if other and sum(other) > 0.1 * wall:
        print(f"  noise: other programs used {sum(other):.0f} CPU-s during {wall:.0f} s of measurements; "
              "rerun on a quiet machine (or with --repeat) before trusting the times")
    if profile:
        print_profile(profile)
    numbers = {
        "rows": export.rows, "file_bytes": export.bytes, "file_mb": round(export.bytes / MB, 1),
        "generate_seconds": round(export.seconds, 2), "planted_bad": export.planted,
        "export_date": export_date.isoformat(), "repeat": k,
        "floor_seconds": round(floor_s, 3), "floor_peak_mb": round(floor_peak / MB),
        "okrfunnel_seconds": round(ingest_s, 3), "okrfunnel_peak_mb": round(ingest_peak / MB),
        "floor_cpu_seconds": round(floor_cpu, 2), "okrfunnel_cpu_seconds": round(ingest_cpu, 2),
        "floor_ctas_seconds": round(statistics.median(m.inner_seconds for m in floors), 3),
        "ratio": round(ratio, 3), "cpu_ratio": round(ingest_cpu / floor_cpu, 3),
        "okrfunnel_rows_per_second": round(export.rows / ingest_s),
        "floor_runs_seconds": [round(m.seconds, 3) for m in floors],
        "okrfunnel_runs_seconds": [round(m.seconds, 3) for m in ingests],
        "floor_runs_peak_mb": [round(m.peak_bytes / MB) for m in floors],
        "okrfunnel_runs_peak_mb": [round(m.peak_bytes / MB) for m in ingests],
        "floor_runs_other_cpu_seconds": [m.other_cpu_seconds and round(m.other_cpu_seconds, 1) for m in floors],
        "okrfunnel_runs_other_cpu_seconds": [m.other_cpu_seconds and round(m.other_cpu_seconds, 1) for m in ingests],
        "target_ratio": TARGET_RATIO, "ratio_verdict": verdict(ratio_ok),
        "target_peak_gb": TARGET_PEAK_BYTES / 1e9, "memory_verdict": verdict(memory_ok),
        "verification": {**asdict(check), "ok": check.ok},
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(_memory_bytes() / 1e9, 1),
                    "python": platform.python_version(), "duckdb": duckdb.__version__,
                    "busy_cores_at_start": busy_at_start and round(busy_at_start, 2)},
        "okrfunnel": code,
    }
    if profile:
        numbers["profile"] = {key: profile[key] for key in ("total_seconds", "total_cpu_seconds", "phases", "functions", "statements")}
    print(json.dumps(numbers, default=str))
    return numbers


def _memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark `okrfunnel ingest` on a generated HubSpot contacts export against "
                    "DuckDB's CREATE TABLE AS read_csv floor.",
    )
    parser.add_argument("--rows", type=int, default=5_000_000, help="leads in the export (default 5,000,000)")
    parser.add_argument("--workdir", type=Path, help="where to write the export and warehouses (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the export and the warehouses afterwards")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="runs of each measurement; medians are reported")
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated export (default 42)")
    parser.add_argument("--profile", action="store_true", help="also time each ingest phase in-process")
    parser.add_argument("--profile-child", nargs=3, metavar=("CSV", "DB", "EXPORT_DATE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1000 or args.repeat < 1:
        parser.error("--rows must be at least 1000 and --repeat at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile_child:
        csv, db, when = args.profile_child
        print(json.dumps(profile_child(Path(csv), Path(db), date.fromisoformat(when))))
        return 0

    code = okrfunnel_code()
    print(f"okrfunnel from {code.get('path')} (commit {code.get('commit')}, code digest {code.get('digest')})")
    busy_at_start = busy_cores()
    if busy_at_start is not None and busy_at_start > 0.1:
        print(f"note: {busy_at_start:.1f} of {os.cpu_count()} cores busy before starting: times will be noisy")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="okrfunnel-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    workdir = workdir.resolve()
    try:
        export = generate_export(workdir / f"hubspot_contacts_{args.rows}.csv", args.rows, args.seed)
        export_date = export.last_date + timedelta(days=1)
        print(f"Generated {export.path} in {export.seconds:.1f} s: {export.rows:,} rows, "
              f"{export.bytes / MB:,.1f} MB, {export.planted_total:,} planted bad rows {export.planted}; "
              f"export date {export_date}")
        floors, ingests, check = [], [], None
        for run in range(1, args.repeat + 1):
            floor_db, ingest_db = workdir / f"floor-{run}.duckdb", workdir / f"warehouse-{run}.duckdb"
            for stale in (floor_db, ingest_db):
                stale.unlink(missing_ok=True)
            floors.append(measure_floor(export, floor_db, workdir))
            print(f"run {run}: floor {describe(floors[-1])}", flush=True)
            ingests.append(measure_ingest(export, ingest_db, workdir, export_date))
            print(f"run {run}: okrfunnel ingest {describe(ingests[-1])}", flush=True)
            check = verify(ingest_db, export)
            if not args.keep:
                floor_db.unlink(missing_ok=True)
                ingest_db.unlink(missing_ok=True)
        profile = None
        if args.profile:
            profile_db = workdir / "profile.duckdb"
            profile_db.unlink(missing_ok=True)
            profile = run_profile(export, profile_db, workdir, export_date)
            if not args.keep:
                profile_db.unlink(missing_ok=True)
        if okrfunnel_code() != code:
            print("warning: okrfunnel's code changed while the benchmark ran; the runs may have measured different versions")
        numbers = report(export, floors, ingests, check, export_date, profile, busy_at_start, code)
    finally:
        if not args.keep:
            if args.workdir:
                for name in ("hubspot_contacts_*.csv", "floor-*.duckdb*", "warehouse-*.duckdb*", "profile.duckdb*"):
                    for path in workdir.glob(name):
                        path.unlink(missing_ok=True)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    ok = numbers["verification"]["ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
