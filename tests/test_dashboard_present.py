"""The Present page under AppTest on the demo warehouse: a slide at a time in both languages,
previous / next / jump, full screen, the three downloads; its slides are the report's, cell for
cell, and its KR numbers those of `okrfunnel krs`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_report import read_html, shown, whole_percent
from typer.testing import CliRunner

from pipelines.cli import app as cli_app

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CYCLE = "2026-Q4"  # the demo's running cycle, the one the sidebar opens on
TITLES = {"en": "2026-Q4: OKR results", "zh": "2026-Q4：OKR 成果"}  # worked out by hand


def cli(db: Path, *args) -> list[dict]:
    result = CliRunner().invoke(cli_app, [*args, "--db", str(db), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def at(warehouse) -> AppTest:
    test = AppTest.from_file(str(APP), default_timeout=60).run()
    test.switch_page("views/present.py").run()
    assert_clean(test)
    return test


def assert_clean(at: AppTest) -> None:
    assert [e.value for e in at.exception] == [] and [e.value for e in at.error] == []


def slide(at: AppTest) -> dict:
    """The slide shown: its title and table rows, read from the page's HTML."""
    body = "".join(m.value for m in at.markdown if "class='okr-slide'" in m.value)
    return next(iter(read_html(f"<section data-slide='shown'>{body}</section>").slides.values()))


def step(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert_clean(at)
    return at


def test_first_slide_and_next_show_the_objectives_with_the_numbers_of_krs(at, warehouse):
    assert slide(at)["title"] == TITLES["en"]
    assert at.button(key="present_previous").disabled
    krs = cli(warehouse, "krs", "--cycle", CYCLE)
    objectives = cli(warehouse, "objectives", "--cycle", CYCLE)
    for objective in objectives:
        shown_slide = slide(step(at, "present_next"))
        assert shown_slide["title"] == f"{objective['objective_id']} · {objective['objective']}"
        mine = [r for r in krs if r["objective_id"] == objective["objective_id"]]
        assert {k: v[:5] for k, v in shown_slide["rows"].items()} == {r["kr_id"]: [
            f"{r['kr_id']} {r['kr']}", r["owner"] or "–", shown(r["metric"], r["target"]), shown(r["metric"], r["actual"]),
            whole_percent(r["attainment"])] for r in mine}
        chart = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        assert [y.split(" ")[0] for y in chart["y"]] == [r["kr_id"] for r in mine]
    step(at, "present_previous")
    assert slide(at)["title"].startswith(objectives[-2]["objective_id"])


def test_jump_to_the_last_slide_and_back(at):
    jump = at.selectbox(key="present_jump_en")
    assert len(jump.options) >= 5 and jump.options[0].startswith(f"1/{len(jump.options)} · ")
    jump.set_value(len(jump.options) - 1).run()
    assert_clean(at)
    assert slide(at)["title"] == "Lessons and next steps" and at.button(key="present_next").disabled
    assert slide(step(at, "present_previous"))["title"].startswith("Since adopting OKRs")


def test_the_page_switches_language_itself_in_full_screen_and_keeps_the_slide(at):
    step(at, "present_next")
    at.radio(key="present_language").set_value("zh").run()
    assert_clean(at)
    assert at.session_state["language"] == "zh" and at.sidebar.radio(key="language").value == "zh"
    assert slide(at)["title"].startswith("O1 · ")
    assert slide(at)["rows"]  # a KR table, now with Chinese headings
    assert at.button(key="present_next").label == "下一页"
    at.selectbox(key="present_jump_zh").set_value(0).run()
    assert slide(at)["title"] == TITLES["zh"]


def test_full_screen_hides_the_sidebar_until_turned_off(at):
    styles = lambda: "".join(m.value for m in at.markdown if m.value.startswith("<style>"))  # noqa: E731
    assert '[data-testid="stSidebar"]' in styles() and "present_language" in [r.key for r in at.radio]
    at.toggle(key="present_full_screen").set_value(False).run()
    assert_clean(at)
    assert '[data-testid="stSidebar"]' not in styles() and "present_language" not in [r.key for r in at.radio]
    at.sidebar.radio(key="language").set_value("zh").run()
    assert slide(at)["title"] == TITLES["zh"]


def test_three_downloads_made_when_clicked(at):
    buttons = {b.key: b.proto for b in at.get("download_button")}
    assert sorted(buttons) == ["present_download_html", "present_download_pdf", "present_download_pptx"]
    assert [b.label for b in buttons.values()] == ["HTML", "PDF", "PowerPoint"]
    assert all(b.deferred_file_id and b.ignore_rerun for b in buttons.values())  # not drawn on every slide change


def test_every_slide_is_the_reports_slide_cell_for_cell(at, warehouse, tmp_path):
    out = tmp_path / "q4.html"
    result = CliRunner().invoke(cli_app, ["report", "--cycle", CYCLE, "--out", str(out), "--db", str(warehouse)])
    assert result.exit_code == 0, result.stderr
    report = list(read_html(out.read_text(encoding="utf-8")).slides.values())
    assert len(at.selectbox(key="present_jump_en").options) == len(report)
    for n, expected in enumerate(report):
        shown_slide = slide(at)
        assert (shown_slide["title"], shown_slide["rows"], shown_slide["items"]) == (
            expected["title"], expected["rows"], expected["items"]), n
        if n < len(report) - 1:
            step(at, "present_next")
