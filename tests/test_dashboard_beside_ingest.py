"""The dashboard keeps reading while `okrfunnel ingest` writes the same warehouse in another
process: no exception of any kind (no lock error), every answer comes whole from either the
warehouse before the load or the one after it (never a mix, never back to the old one once the
new one was seen), and the new run shows after the load without a restart."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from importlib.resources import files
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import data

APP = str(files("dashboard") / "app.py")
LEADS = 300_000  # generated leads, all created in 2026-Q4; every 20th became an SQL
SQLS = LEADS // 20
Q4 = (("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),)
EXPORT_DATE = "2026-11-23"  # the demo's data ends on 2026-11-22
MQL = '"Date entered ""Marketing Qualified Lead (Lifecycle Stage Pipeline)"""'
SQL = '"Date entered ""Sales Qualified Lead (Lifecycle Stage Pipeline)"""'


def hubspot_export(path: Path) -> Path:
    """LEADS new HubSpot contacts (ids the demo does not use), created 2026-10-01..11-20; every
    5th an MQL a day later, every 20th also an SQL two days later."""
    created = "TIMESTAMP '2026-10-01 08:00' + to_minutes((i * 7 % (50 * 24 * 60))::BIGINT)"
    with duckdb.connect() as con:
        con.execute(f"""COPY (
            SELECT (900000001 + i)::VARCHAR AS "Record ID",
                   'lead' || i || '@example.com' AS "Email",
                   strftime({created}, '%Y-%m-%d %H:%M') AS "Create Date",
                   CASE WHEN i % 5 = 0 THEN strftime({created} + INTERVAL 1 DAY, '%Y-%m-%d %H:%M') END AS {MQL},
                   CASE WHEN i % 20 = 0 THEN strftime({created} + INTERVAL 2 DAY, '%Y-%m-%d %H:%M') END AS {SQL},
                   ['Paid Search', 'Organic Search', 'Email Marketing'][1 + i % 3] AS "Original Traffic Source"
            FROM range({LEADS}) AS r(i)
        ) TO '{path}' (HEADER)""")
    return path


def okrfunnel() -> str:
    beside = Path(sys.executable).with_name("okrfunnel")
    return str(beside) if beside.exists() else shutil.which("okrfunnel")


def read_everything() -> tuple[int, tuple[int, int], tuple]:
    """What a page reads, each call on the warehouse itself (caches cleared, so every call opens
    the file): run count, Q4 leads and SQLs (one query), and the KR actuals."""
    st.cache_data.clear()
    key = data.identity()
    runs = len(data.runs(key))
    (q4,) = data.metrics(key, Q4, ("leads", "sqls"))
    krs = tuple((r["kr_id"], r["actual"]) for r in data.key_results(key, "2026-Q4"))
    return runs, (q4["leads"], q4["sqls"]), krs


def page_ok(at: AppTest, page: str | None = None) -> AppTest:
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return at


def sqls_tile(at: AppTest) -> int:
    (tile,) = [m.value for m in at.metric if m.label == "SQLs"]
    return int(tile.replace(",", ""))


def test_a_reader_stays_whole_while_an_ingest_runs(warehouse, tmp_path):
    export = hubspot_export(tmp_path / "hubspot_contacts_big.csv")
    before = read_everything()
    overview = page_ok(AppTest.from_file(APP, default_timeout=60))
    sqls_before = sqls_tile(overview)
    identity_before = data.identity()

    env = {k: v for k, v in os.environ.items() if k != "OKRFUNNEL_CONFIG"}
    log = tmp_path / "ingest.log"
    with log.open("w") as out:
        ingest = subprocess.Popen(
            [okrfunnel(), "ingest", str(export), "--db", str(warehouse), "--export-date", EXPORT_DATE],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    seen: list[tuple] = []
    pages = ["views/overview.py", "views/data_sources.py", "views/key_result.py"]
    app_runs = 0
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        while ingest.poll() is None:
            seen.append(read_everything())
            if len(seen) % 3 == 0:  # a whole app run now and then: sidebar, page, every query
                page_ok(at, pages[app_runs % len(pages)] if app_runs else None)
                app_runs += 1
        for _ in range(3):  # and just after the swap
            seen.append(read_everything())
    finally:
        if ingest.poll() is None:
            ingest.kill()
        ingest.wait()
    assert ingest.returncode == 0, log.read_text()

    after = read_everything()
    assert data.identity() != identity_before
    assert after[0] == before[0] + 1
    assert after[1] == (before[1][0] + LEADS, before[1][1] + SQLS)
    assert after[2] != before[2]  # the KRs bound to leads and SQLs moved

    during_ingest = len(seen) - 3
    assert during_ingest >= 5 and app_runs >= 1, f"only {during_ingest} reads, {app_runs} app runs while the ingest ran"
    # each answer on its own is whole: a read may straddle the swap, so the answers of one read
    # can come from different files, but none from a half-loaded one, and none goes back
    for i, part in enumerate(("run count", "Q4 leads and SQLs", "KR actuals")):
        answers = [s[i] for s in seen]
        assert set(answers) <= {before[i], after[i]}, f"{part}: {set(answers) - {before[i], after[i]}} is neither old nor new"
        if after[i] in answers:
            first_new = answers.index(after[i])
            assert set(answers[first_new:]) == {after[i]}, f"{part} went back to the old warehouse after the new one"

    # the app that was open all along shows the new numbers on its next run, without a restart
    assert sqls_tile(page_ok(overview)) == sqls_before + SQLS
    runs_shown = page_ok(overview, "views/data_sources.py")
    assert any("big.csv" in frame.value.to_string() for frame in runs_shown.dataframe)  # long names are cut in the middle
