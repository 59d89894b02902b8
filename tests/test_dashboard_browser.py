"""One end-to-end run in a real browser: `okrfunnel dashboard` on the demo warehouse, served on
127.0.0.1 and loaded in Debian's headless Chromium (driven by Playwright with
``executable_path``). Every page the sidebar's navigation lists, in English and in Chinese, must
render its title in that language without an error element; a full-page screenshot of each is
kept in ``test-artifacts/screenshots/<lang>-<page>.png``.

Skipped only when Chromium is absent outside CI; under CI (``CI`` set) a missing Chromium fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.i18n import catalogue
from pipelines.cli import app

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
CYCLE = "2026-Q4"  # the demo's running cycle, the one the sidebar opens on
# Overview's title worked out by hand; the other pages' titles are their catalogue entries.
OVERVIEW_TITLES = {"en": "2026-Q4: key results", "zh": "2026-Q4：关键结果"}
TITLE_KEYS = {"funnel": "funnel.title", "confidence": "confidence.title", "quarter-review": "review.title",
              "data": "data.title", "present": "report.title", "week": "week.title"}
LANGUAGE_OPTIONS = {"en": "English", "zh": "中文"}

# The page's state, read in the browser: is it idle, is everything drawn, and what went wrong.
PAGE_STATE = """() => {
    const all = (s) => [...document.querySelectorAll(s)];
    const main = document.querySelector('[data-testid="stMain"]');
    const charts = all('[data-testid="stPlotlyChart"]');
    return {
        title: (main && main.querySelector('h1')) ? main.querySelector('h1').innerText.trim() : null,
        running: all('[data-testid="stStatusWidgetRunningIcon"]').length > 0,
        connecting: all('[data-testid="stConnectionStatus"]').length > 0,
        skeletons: all('[data-testid="stSkeleton"]').length,
        charts: charts.length,
        charts_drawn: charts.filter(c => c.querySelector('.main-svg')).length,
        errors: all('[data-testid="stException"], [data-testid="stAlertContentError"]')
            .map(e => e.innerText.trim().slice(0, 500)),
        nav: all('[data-testid="stSidebarNav"] a').map(a => [a.getAttribute('href'), a.innerText.trim()]),
        height: main ? main.scrollHeight : 0,
    };
}"""


def chromium_or_skip() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    reason = "Debian's chromium is not installed (apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; under CI the browser test must run (.ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    """Chromium and Playwright, checked before the warehouse and the server are set up."""
    found = chromium_or_skip()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install '.[test]')")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def okrfunnel() -> str:
    beside = Path(sys.executable).with_name("okrfunnel")
    return str(beside) if beside.exists() else shutil.which("okrfunnel")


@pytest.fixture
def warehouse(demo_warehouse, tmp_path) -> Path:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_warehouse, db)
    return db


@pytest.fixture
def server(warehouse, tmp_path):
    with serving(warehouse, tmp_path) as base:
        yield base


@contextlib.contextmanager
def serving(warehouse: Path, folder: Path):
    """`okrfunnel dashboard` on a free port of 127.0.0.1, run in ``folder`` (an okrfunnel.toml there
    is its settings), stopped (with its Streamlit child) however the test ends."""
    tmp_path = folder
    port = free_port()
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in ("OKRFUNNEL_DB", "OKRFUNNEL_CONFIG")}
    with log.open("wb") as out:
        proc = subprocess.Popen([okrfunnel(), "dashboard", "--db", str(warehouse), "--port", str(port)],
                                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"okrfunnel dashboard exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            if _healthy(port):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no health answer from {base} within 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the session (okrfunnel and the Streamlit it started), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            # the Streamlit child may outlive okrfunnel for a moment: make sure the group is gone
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.5)


def wait_idle(page, timeout: float = 60.0, settle: int = 4) -> dict:
    """Wait until the page is connected, not running, has no skeletons, a title, and every plotly
    chart drawn, and stays so for ``settle`` checks in a row (a rerun can start a moment late)."""
    deadline, calm, state = time.monotonic() + timeout, 0, {}
    while calm < settle:
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} did not settle within {timeout:.0f} s: {state}")
        page.wait_for_timeout(250)
        state = page.evaluate(PAGE_STATE)
        idle = (not state["running"] and not state["connecting"] and state["skeletons"] == 0
                and state["title"] is not None and state["charts"] == state["charts_drawn"])
        # an error ends the wait too: it is reported by the caller, with its screenshot
        calm = calm + 1 if idle or (state["errors"] and not state["running"]) else 0
    return state


def screenshot(page, path: Path, height: int) -> None:
    """The whole page: Streamlit scrolls inside ``stMain``, so the viewport grows to its height."""
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(height, 16000))})
    page.wait_for_timeout(400)  # plotly redraws on resize
    wait_idle(page, settle=2)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


def slug(href: str, text: str) -> str:
    path = href.split("://", 1)[-1].partition("/")[2].strip("/")
    return path or re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def expected_titles(warehouse: Path) -> dict[str, dict[str, str]]:
    """Page slug -> language -> the title it must show."""
    result = CliRunner().invoke(app, ["krs", "--cycle", CYCLE, "--db", str(warehouse), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    first_kr = json.loads(result.stdout)[0]  # the Key result page opens on the cycle's first KR
    titles = {"overview": OVERVIEW_TITLES,
              "key-result": {lang: f"{first_kr['kr_id']} · {first_kr['kr']}" for lang in LANGUAGE_OPTIONS}}
    for page, key in TITLE_KEYS.items():
        titles[page] = {lang: catalogue(lang)[key].format(cycle=CYCLE) for lang in LANGUAGE_OPTIONS}
    return titles


def next_slide(page, lang: str) -> list[str]:
    """The Present page's Right-arrow shortcut shows the first objective's slide, chart drawn."""
    page.locator('[data-testid="stMain"] h1').first.click()  # the keys go to the page, not the language switch
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1').innerText.startsWith('O1')",
                           timeout=30_000)
    state = wait_idle(page)
    screenshot(page, SCREENSHOTS / f"{lang}-present-objective.png", state["height"])
    return [] if state["charts"] == 1 and not state["errors"] else [f"{lang} present, second slide: {state}"]


def test_every_page_renders_in_both_languages(chromium, server, warehouse):
    from playwright.sync_api import sync_playwright

    titles = expected_titles(warehouse)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            page = context.new_page()
            page_errors: list[str] = []
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))

            page.goto(server + "/")
            pages = wait_idle(page)["nav"]
            assert len(pages) >= 6, f"the navigation lists {pages}"
            for lang, option in LANGUAGE_OPTIONS.items():
                for href, text in pages:
                    name = slug(href, text)
                    page.goto(href if href.startswith("http") else server + href)
                    state = wait_idle(page)
                    if lang != "en":
                        english_nav = state["nav"]
                        # Present in full screen hides the sidebar: its own switch sets the language
                        where_switch = "stSidebar" if page.locator('[data-testid="stSidebar"]').is_visible() else "stMain"
                        page.locator(f'[data-testid="{where_switch}"] [data-testid="stRadio"] label').filter(
                            has_text=option).click()
                        page.wait_for_function(
                            "nav => JSON.stringify([...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')]"
                            ".map(a => [a.getAttribute('href'), a.innerText.trim()])) !== JSON.stringify(nav)",
                            arg=english_nav, timeout=30_000)
                        state = wait_idle(page)
                    shot = SCREENSHOTS / f"{lang}-{name}.png"
                    screenshot(page, shot, state["height"])
                    state = page.evaluate(PAGE_STATE)
                    where = f"{lang} {href}"
                    if state["errors"]:
                        problems.append(f"{where}: error element(s) {state['errors']} (see {shot})")
                    want = titles.get(name, {}).get(lang)
                    if want is not None and state["title"] != want:
                        problems.append(f"{where}: title {state['title']!r}, expected {want!r}")
                    if want is None and not state["title"]:
                        problems.append(f"{where}: no title")
                    if name == "present":
                        problems += next_slide(page, lang)
            if page_errors:
                problems.append(f"JavaScript errors in the page: {page_errors}")
            context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


def test_password_sign_in_in_a_real_browser(chromium, warehouse, tmp_path):
    """The password gate through Streamlit's real session: nothing of the warehouse before sign-in,
    a wrong password refused, the right one lets 王芳 in as a member, whose Evaluation page is
    read-only (scores are an admin's)."""
    from playwright.sync_api import sync_playwright

    from pipelines.access import hash_password

    (tmp_path / "okrfunnel.toml").write_text(
        f'[access]\nsign_in = "password"\n\n[access.people.wangfang]\nname = "王芳"\nrole = "member"\n'
        f'password_hash = "{hash_password("wang-password")}"\n', encoding="utf-8")
    with serving(warehouse, tmp_path) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(base + "/")
            assert wait_idle(page)["title"] == "Sign in to okrfunnel"
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0
            fields = page.locator('[data-testid="stTextInput"] input')
            fields.nth(0).fill("wangfang")
            fields.nth(1).fill("not-her-password")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=30_000)
            assert page.locator('[data-testid="stAlertContentError"]').inner_text().strip() == "Wrong user name or password."
            fields.nth(1).fill("wang-password")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText === '2026-Q4: key results'",
                                   timeout=30_000)
            state = wait_idle(page)
            assert not state["errors"] and "Signed in as 王芳 (member)" in page.locator('[data-testid="stSidebar"]').inner_text()
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Evaluation").click()
            page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText === 'Evaluation · 2026-Q4'",
                                   timeout=30_000)
            wait_idle(page)
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert "Scores are entered by an admin" in main and "Save scores" not in main
            page.reload()  # a reload is a new Streamlit session: sign in again (docs/access.md)
            assert wait_idle(page)["title"] == "Sign in to okrfunnel"
        finally:
            browser.close()


def test_sigterm_to_okrfunnel_dashboard_stops_the_server(warehouse, tmp_path):
    """A service manager stops `okrfunnel dashboard` by its pid: the server must go with it (the
    review found Streamlit, started as a child, still serving after okrfunnel exited)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("OKRFUNNEL_DB", "OKRFUNNEL_CONFIG")}
    proc = subprocess.Popen([okrfunnel(), "dashboard", "--db", str(warehouse), "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert proc.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGTERM)  # the pid only, not its process group
        proc.wait(timeout=20)
        assert not _healthy(port)
    finally:
        _stop(proc)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False
