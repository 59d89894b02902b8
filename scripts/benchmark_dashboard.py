"""Benchmark the dashboard: each page's first render and a filter change, driven by AppTest.

Why: the CMO opens the dashboard every Monday, and the warehouse behind it may hold millions of
leads. This says how long each page takes on this machine, on the demo warehouse and on one with
N generated leads, against the targets: a first render under 1.5 s, a filter change under 0.5 s.

How:
1. Build the demo warehouse (``okrfunnel demo``, ~10 s).
2. Build the large one: the demo warehouse plus N generated HubSpot contacts (the generator of
   ``scripts/benchmark_ingest.py``, spread over the demo's six quarters and cut at the demo's
   last day, with record ids that cannot collide with the demo's), loaded with
   ``okrfunnel ingest``. The demo's OKRs, check-ins, costs and followers stay, so every page has
   real content.
3. On each warehouse, for every page ``st.navigation`` registers, ``--repeat`` times:
   - first render: a fresh ``AppTest``, ``st.cache_data.clear()``, then the page's run (sidebar
     included, every query cold);
   - warm rerun: the same page again (caches warm): what Streamlit and the page cost without
     queries;
   - filter changes: the sidebar owner (everyone -> the first owner), and the page's own main
     control where it has one (the KR picker, the funnel's grain, the waterfall's metric, ...).
   The time inside ``dashboard.data``'s queries is recorded per data function, so each figure
   says how much of it is DuckDB and the metric layer and how much is Streamlit and plotly.
4. Print every figure (medians), PASS/MISS per page, and one JSON line with all numbers.

Usage (the venv's Python, so that ``dashboard`` and ``okrfunnel`` are found)::

    .venv/bin/python scripts/benchmark_dashboard.py                  # demo and 5,000,000 leads
    .venv/bin/python scripts/benchmark_dashboard.py --leads 0        # the demo warehouse only
    .venv/bin/python scripts/benchmark_dashboard.py --workdir /tmp/dash --keep   # keep the warehouses
    .venv/bin/python scripts/benchmark_dashboard.py --workdir /tmp/dash --reuse --profile funnel

This is a benchmark, not a test: with 5,000,000 leads it writes a ~0.8 GB export and takes a few
minutes. Run one at a time; two at once measure each other.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import benchmark_ingest as gen  # the HubSpot generator and helpers (scripts/ is on sys.path)
import duckdb

TARGET_FIRST_RENDER = 1.5  # seconds
TARGET_FILTER_CHANGE = 0.5  # seconds
FIRST_DAY, LAST_DAY = date(2025, 7, 1), date(2026, 11, 22)  # the demo company's data
EXPORT_DATE = date(2026, 11, 23)  # the day the demo's last HubSpot export was made
RECORD_ID_PREFIX = "9"  # generated ids 951000001..: the demo's are 512xxxxx
# The page's own main control: (widget kind, key or key prefix, value to switch to). AppTest
# sets a selectbox by its value, not its shown label, so the value is named here.
MAIN_CONTROLS = {
    "key_result.py": ("selectbox", "kr", "KR1.2"),
    "funnel.py": ("radio", "funnel_grain", "month"),
    "quarter_review.py": ("selectbox", "review_metric", "leads"),
    "data_sources.py": ("selectbox", "data_q_run", 1),
    "present.py": ("selectbox", "present_jump", 1),  # the next slide
}
SKIP_CONTROLS = ("overview_kr",)  # key prefixes (keys carry the cycle or the language)
ALL_OWNERS = "*"  # dashboard.common.ALL_OWNERS: the owner filter's "everyone"  # a picker that only does something with its button


# --- building the warehouses --------------------------------------------------------------------


def run(cmd: list[str], what: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=gen.child_env(), check=False)
    if done.returncode not in (0,):
        sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, done.stdout


def build_demo(workdir: Path) -> Path:
    db = workdir / "demo.duckdb"
    seconds, _ = run([gen.okrfunnel_executable(), "demo", "--db", str(db), "--exports", str(workdir / "exports")],
                     "okrfunnel demo")
    print(f"built the demo warehouse {db} in {seconds:.1f} s", flush=True)
    return db


def generate_leads(path: Path, rows: int, seed: int = 42) -> float:
    """Write N HubSpot contacts with ``benchmark_ingest``'s generator, spread over the demo's
    quarters: stage dates after the demo's last day are left empty (not reached yet), as a real
    export made that day has them."""

    # export_sql reads these module settings when called: the demo's span instead of its default.
    gen.FIRST_CREATE_DATE, gen.CREATE_SPAN_DAYS = FIRST_DAY, (LAST_DAY - FIRST_DAY).days + 1
    cutoff = f"'{LAST_DAY} 23:59'"
    stages = [gen._stage_heading(s) for s in ("Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity", "Customer")]
    reached = {s: f"CASE WHEN {s} <= {cutoff} THEN {s} END" for s in stages}
    lifecycle = ("CASE " + " ".join(f"WHEN {reached[s]} IS NOT NULL THEN {gen._lit(n)}" for s, n in zip(
        reversed(stages), ("Customer", "Opportunity", "Sales Qualified Lead", "Marketing Qualified Lead"), strict=True))
        + " ELSE 'Lead' END")
    replace = ", ".join([f"{gen._lit(RECORD_ID_PREFIX)} || \"Record ID\" AS \"Record ID\"",
                         *(f"{reached[s]} AS {s}" for s in stages), f"{lifecycle} AS \"Lifecycle Stage\""])
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE TEMP MACRO u(i, k) AS (hash(i, {int(seed)}, k) % 1000000007) / 1000000007.0")
        con.execute(f"CREATE TEMP VIEW contacts AS {gen.export_sql(rows)}")
        con.execute(f"COPY (SELECT * EXCLUDE (_bad, _last) REPLACE ({replace}) FROM contacts) "
                    f"TO {gen._lit(str(path))} (HEADER, FORCE_QUOTE *)")
    return time.perf_counter() - started


def build_large(workdir: Path, demo: Path, leads: int) -> Path:
    export = workdir / f"hubspot_contacts_{leads}.csv"
    seconds = generate_leads(export, leads)
    print(f"generated {export} ({export.stat().st_size / 1e6:,.0f} MB, {leads:,} leads) in {seconds:.1f} s", flush=True)
    db = workdir / f"leads-{leads}.duckdb"
    shutil.copyfile(demo, db)
    seconds, out = run([gen.okrfunnel_executable(), "ingest", str(export), "--db", str(db),
                        "--export-date", EXPORT_DATE.isoformat(), "--format", "json"], "okrfunnel ingest")
    (outcome,) = json.loads(out)
    print(f"ingested it into a copy of the demo warehouse in {seconds:.1f} s: {outcome.get('rows_loaded'):,} loaded, "
          f"{outcome.get('rows_set_aside'):,} set aside", flush=True)
    export.unlink()
    return db


def lead_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM lead_state").fetchone()[0]


# --- measuring ----------------------------------------------------------------------------------


class QueryClock:
    """Time spent inside ``dashboard.data._query``, by the data function that called it."""

    def __init__(self):
        from dashboard import data

        self.spent: dict[str, float] = defaultdict(float)
        original = data._query

        def timed(fn, *args, **kwargs):
            caller = sys._getframe(1).f_code.co_name
            started = time.perf_counter()
            try:
                return original(fn, *args, **kwargs)
            finally:
                self.spent[caller] += time.perf_counter() - started

        data._query = timed

    def take(self) -> dict[str, float]:
        spent, self.spent = dict(self.spent), defaultdict(float)
        return spent


@dataclass
class Timing:
    seconds: float
    queries: dict[str, float]

    @property
    def query_seconds(self) -> float:
        return sum(self.queries.values())


@dataclass
class PageResult:
    page: str  # the page's title in English
    script: str
    control: str | None = None
    first: list[Timing] = field(default_factory=list)
    warm: list[Timing] = field(default_factory=list)
    owner: list[Timing] = field(default_factory=list)
    main: list[Timing] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @staticmethod
    def median(timings: list[Timing]) -> float | None:
        return statistics.median(t.seconds for t in timings) if timings else None

    @property
    def filter_seconds(self) -> float | None:
        found = [m for m in (self.median(self.owner), self.median(self.main)) if m is not None]
        return max(found) if found else None

    @property
    def ok(self) -> bool:
        first, change = self.median(self.first), self.filter_seconds
        return (not self.errors and first is not None and first < TARGET_FIRST_RENDER
                and (change is None or change < TARGET_FILTER_CHANGE))

    def slowest_queries(self, timings: list[Timing]) -> dict[str, float]:
        """Median seconds per data function over the runs, largest first."""
        names = {n for t in timings for n in t.queries}
        per = {n: statistics.median(t.queries.get(n, 0.0) for t in timings) for n in names}
        return dict(sorted(per.items(), key=lambda kv: -kv[1]))


def quiet_streamlit() -> None:
    """A page's exception is reported in the table (from AppTest), not as a traceback."""
    from streamlit import config, logger

    config.set_option("logger.enableRich", False)
    config.set_option("logger.level", "critical")  # loggers made from now on
    logger.set_log_level("critical")  # and those made already


def app_file() -> str:
    import dashboard

    return str(Path(dashboard.__file__).resolve().parent / "app.py")


def timed_run(at, clock: QueryClock) -> Timing:
    clock.take()
    started = time.perf_counter()
    at.run()
    return Timing(time.perf_counter() - started, clock.take())


def problems(at) -> list[str]:
    return [str(e.value)[:300] for e in [*at.exception, *at.error]]


def pages() -> list[dict]:
    """The pages st.navigation registers, in its order (a first run of the app finds them;
    AppTest keeps them in ``_registered_pages``, the same table its ``switch_page`` uses)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app_file(), default_timeout=600)
    at.run()
    return list(at._registered_pages.values())


def owner_box(at):
    """The sidebar's owner filter (one widget per language: its key starts with "owner")."""
    return next(w for w in at.sidebar.selectbox if w.key and w.key.startswith("owner"))


def main_control(at, script: str):
    """The page's own main control and the value to switch it to, or None."""
    kind, key, value = MAIN_CONTROLS.get(script, (None, None, None))
    candidates = [(kind, w) for w in getattr(at.main, kind) if w.key and w.key.startswith(key)] if kind else []
    if not candidates:  # a page not listed: its first selectbox with a choice to make
        candidates = [("selectbox", w) for w in at.main.selectbox
                      if not (w.key or "").startswith(SKIP_CONTROLS) and len(w.options) > 1]
        value = None
    if not candidates:
        return None
    kind, widget = candidates[0]
    if value is None:  # the next option, where the shown label is the value itself
        index = widget.index if widget.index is not None else 0
        target = widget.options[(index + 1) % len(widget.options)]
        if str(widget.format_func(target)) != target:
            return None
        value = target
    return widget.key, lambda: widget.set_value(value)


def measure_page(page: dict, repeat: int, clock: QueryClock) -> PageResult:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    script = Path(page["script_path"]).name
    result = PageResult(page["page_name"], script)
    relative = str(Path(page["script_path"]).relative_to(Path(app_file()).parent))
    for _ in range(repeat):
        at = AppTest.from_file(app_file(), default_timeout=600)
        at.run()  # the app once: Python imports and the first page are not this page's cost
        st.cache_data.clear()
        at.switch_page(relative)
        result.first.append(timed_run(at, clock))
        result.errors += problems(at)
        try:
            result.warm.append(timed_run(at, clock))
            if len(owner_box(at).options) > 1:
                owner_box(at).select_index(1)
                result.owner.append(timed_run(at, clock))
                result.errors += problems(at)
                owner_box(at).set_value(ALL_OWNERS).run()  # back to everyone
            control = main_control(at, script)
            if control:
                result.control, change = control
                change()
                result.main.append(timed_run(at, clock))
                result.errors += problems(at)
        except (ValueError, KeyError, IndexError, StopIteration, AssertionError) as exc:  # AppTest could not drive a widget
            result.errors.append(f"could not drive the page: {type(exc).__name__}: {exc}")
    result.errors = sorted(set(result.errors))
    return result


def measure(db: Path, repeat: int) -> list[PageResult]:
    os.environ["OKRFUNNEL_DB"] = str(db)
    os.environ.pop("OKRFUNNEL_CONFIG", None)
    clock = QueryClock()
    results = []
    for page in pages():
        results.append(measure_page(page, repeat, clock))
        r = results[-1]
        print(f"  measured {r.page}: first render {r.median(r.first):.2f} s", flush=True)
    return results


def profile_page(db: Path, name: str) -> str:
    """cProfile of one cold first render of the page whose title or file matches ``name``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["OKRFUNNEL_DB"] = str(db)
    wanted = name.lower().replace("-", "_").replace(" ", "_")
    found = [p for p in pages() if wanted in (Path(p["script_path"]).stem, p["page_name"].lower().replace(" ", "_"),
                                                p["url_pathname"].replace("-", "_"))]
    if not found:
        return f"no page {name!r}"
    at = AppTest.from_file(app_file(), default_timeout=600)
    at.run()
    st.cache_data.clear()
    at.switch_page(str(Path(found[0]["script_path"]).relative_to(Path(app_file()).parent)))
    return _profile_in_thread(at)


def _profile_in_thread(at) -> str:
    """Profile the script thread: AppTest's run happens in another thread, so hook every new
    thread with a profiler and merge their stats."""
    import threading

    profilers: list[cProfile.Profile] = []

    def start(*_):
        p = cProfile.Profile()
        profilers.append(p)
        p.enable()

    threading.setprofile(start)
    started = time.perf_counter()
    try:
        at.run()
    finally:
        threading.setprofile(None)
    seconds = time.perf_counter() - started
    for p in profilers:
        p.disable()
    out = io.StringIO()
    if not profilers:
        return "no thread to profile"
    stats = pstats.Stats(profilers[0], stream=out)
    for p in profilers[1:]:
        stats.add(p)
    stats.sort_stats("cumulative").print_stats(r"(dashboard|pipelines)/", 30)
    return f"cold first render {seconds:.2f} s (profiled, slower than unprofiled)\n" + out.getvalue()


# --- reporting ----------------------------------------------------------------------------------


def machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    import plotly
    import streamlit

    return {"cpus": os.cpu_count(), "memory_gb": round(memory / 1e9, 1), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "streamlit": streamlit.__version__, "plotly": plotly.__version__,
            "platform": platform.platform()}


def fmt(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f}"


def report_warehouse(label: str, db: Path, results: list[PageResult]) -> dict:
    print(f"\n{label}: {db} ({lead_count(db):,} leads; medians of {len(results[0].first) if results else 0} runs, seconds)")
    print(f"  {'page':<16}{'first':>7}{'queries':>9}{'warm':>7}{'owner':>7}{'control':>9}  {'(which)':<19}{'verdict':<8}slowest queries in the first render")
    numbers = []
    for r in results:
        slow = r.slowest_queries(r.first)
        top = ", ".join(f"{n} {s:.2f}" for n, s in list(slow.items())[:3] if s >= 0.01)
        first_queries = statistics.median(t.query_seconds for t in r.first) if r.first else None
        print(f"  {r.page:<16}{fmt(r.median(r.first)):>7}{fmt(first_queries):>9}{fmt(r.median(r.warm)):>7}"
              f"{fmt(r.median(r.owner)):>7}{fmt(r.median(r.main)):>9}  {(r.control or '–'):<19}"
              f"{'PASS' if r.ok else 'MISS':<8}{top}")
        for error in r.errors:
            print(f"    error on the page: {error}")
        numbers.append({
            "page": r.page, "script": r.script, "verdict": "PASS" if r.ok else "MISS", "errors": r.errors,
            "first_render_seconds": r.median(r.first), "first_render_runs": [round(t.seconds, 3) for t in r.first],
            "first_render_query_seconds": first_queries, "first_render_queries": {n: round(s, 3) for n, s in slow.items()},
            "warm_rerun_seconds": r.median(r.warm), "owner_change_seconds": r.median(r.owner),
            "owner_change_queries": {n: round(s, 3) for n, s in r.slowest_queries(r.owner).items()},
            "control": r.control, "control_change_seconds": r.median(r.main),
            "control_change_queries": {n: round(s, 3) for n, s in r.slowest_queries(r.main).items()},
            "filter_change_seconds": r.filter_seconds,
        })
    missed = [r.page for r in results if not r.ok]
    print(f"  targets: first render < {TARGET_FIRST_RENDER} s, filter change (owner, control) < {TARGET_FILTER_CHANGE} s: "
          + (f"MISS on {', '.join(missed)}" if missed else "PASS on every page"))
    return {"warehouse": label, "leads": lead_count(db), "pages": numbers, "missed": missed}


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time each dashboard page's first render and filter change (AppTest).")
    parser.add_argument("--leads", type=int, default=5_000_000,
                        help="generated leads in the large warehouse (default 5,000,000; 0 measures the demo only)")
    parser.add_argument("--workdir", type=Path, help="where to build the warehouses (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses afterwards (their paths are printed)")
    parser.add_argument("--reuse", action="store_true", help="use warehouses already in --workdir instead of building them")
    parser.add_argument("--repeat", type=int, default=3, metavar="K", help="runs of each measurement; medians are reported")
    parser.add_argument("--profile", metavar="PAGE", help="also cProfile one cold first render of PAGE (e.g. funnel)")
    args = parser.parse_args(argv)
    if args.leads < 0 or args.repeat < 1:
        parser.error("--leads must be at least 0 and --repeat at least 1")
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_streamlit()
    info = machine()
    print(f"machine: {info['cpus']} cores, {info['memory_gb']} GB memory; Python {info['python']}, "
          f"DuckDB {info['duckdb']}, Streamlit {info['streamlit']}, plotly {info['plotly']}")
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="okrfunnel-dash-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    built: list[Path] = []
    try:
        demo = workdir / "demo.duckdb"
        if not (args.reuse and demo.exists()):
            demo.unlink(missing_ok=True)
            demo = build_demo(workdir)
            built.append(demo)
        warehouses = [("demo", demo)]
        if args.leads:
            large = workdir / f"leads-{args.leads}.duckdb"
            if not (args.reuse and large.exists()):
                large.unlink(missing_ok=True)
                large = build_large(workdir, demo, args.leads)
                built.append(large)
            warehouses.append((f"demo + {args.leads:,} leads", large))
        summary = []
        for label, db in warehouses:
            print(f"measuring {label} ...", flush=True)
            summary.append((label, db, measure(db, args.repeat)))
        numbers = {"machine": info, "repeat": args.repeat, "target_first_render_seconds": TARGET_FIRST_RENDER,
                   "target_filter_change_seconds": TARGET_FILTER_CHANGE,
                   "warehouses": [report_warehouse(label, db, results) for label, db, results in summary]}
        if args.profile:
            print(f"\nProfile of {args.profile} on {warehouses[-1][0]}:")
            print(profile_page(warehouses[-1][1], args.profile))
        if args.keep:
            print("kept: " + ", ".join(str(db) for _, db in warehouses))
        print(json.dumps(numbers, default=str))
    finally:
        if not args.keep:
            if args.workdir:
                for path in built:
                    path.unlink(missing_ok=True)
                shutil.rmtree(workdir / "exports", ignore_errors=True)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
