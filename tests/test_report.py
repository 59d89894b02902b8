"""`okrfunnel report --cycle C --out FILE` in its three formats, each read back (HTML parsed, PDF
through pdftotext, PPTX through python-pptx): KR titles and numbers are those `okrfunnel krs` and
`scores` print for the same cycle and as-of day, formatted here by hand, and the three files hold
the same slides. The demo's running cycle gets scores, lessons and next steps first, so every
column and the last slide have something to show."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()
CYCLE = "2026-Q4"
AS_OF = "2026-11-15"  # inside the demo's data, before its newest day: the as-of day must be honoured
MONEY = {"spend", "won_revenue", "cost_per_mql", "cost_per_sql"}
LESSONS = ["研讨会转化率最高", "Baidu keywords need rework"]
NEXT_STEPS = ["研讨会频率翻倍"]


def shown(metric: str | None, value) -> str:
    """How a KR's target or actual reads in the demo's currency (CNY), worked out here."""
    if value is None:
        return "–"
    if metric in MONEY:
        return f"¥{value:,.0f}"
    if metric is not None and metric.endswith("_rate"):
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if metric is not None or float(value).is_integer() else f"{value:,.1f}"


def whole_percent(value) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


class Slides(HTMLParser):
    """Per slide (data-slide), its h1 and its table rows (data-row -> cell texts)."""

    def __init__(self):
        super().__init__()
        self.slides: dict[str, dict] = {}
        self.scripts_with_src: list[str] = []
        self.slide = self.row = self.cell = None
        self.in_title = False
        self.items: list[str] = []
        self.item = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts_with_src.append(attrs["src"])
        if tag == "section" and "data-slide" in attrs:
            self.slide = self.slides.setdefault(attrs["data-slide"], {"title": "", "rows": {}, "items": []})
        if self.slide is None:
            return
        if tag == "h1":
            self.in_title = True
        if tag == "tr" and "data-row" in attrs:
            self.row = self.slide["rows"].setdefault(attrs["data-row"], [])
        if tag == "td" and self.row is not None:
            self.cell = ""
        if tag == "li":
            self.item = ""

    def handle_data(self, data):
        if self.in_title:
            self.slide["title"] += data
        if self.cell is not None:
            self.cell += data
        if self.item is not None:
            self.item += data

    def handle_endtag(self, tag):
        if tag == "h1":
            self.in_title = False
        if tag == "td" and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        if tag == "tr":
            self.row = None
        if tag == "li" and self.item is not None:
            self.slide["items"].append(self.item)
            self.item = None


def read_html(text: str) -> Slides:
    page = Slides()
    page.feed(text)
    return page


def cli_json(db: Path, *args) -> list[dict]:
    result = runner.invoke(app, [*map(str, args), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def scored(demo_warehouse, tmp_path_factory) -> Path:
    """The demo warehouse with self and committee scores for 2026-Q4's first three KRs (the third
    has a self score only), and the review's lessons and next steps."""
    folder = tmp_path_factory.mktemp("report")
    db = folder / "w.duckdb"
    shutil.copyfile(demo_warehouse, db)
    first = [r["kr_id"] for r in cli_json(db, "krs", "--cycle", CYCLE)][:3]
    scores = folder / "scores.yaml"
    scores.write_text(
        f"cycle: {CYCLE}\nscores:\n"
        f"  - {{kr: {first[0]}, self: 7, committee: 6, note: 付费搜索未达预期, by: 评分委员会}}\n"
        f"  - {{kr: {first[1]}, self: 5, committee: 5.5, by: 评分委员会}}\n"
        f"  - {{kr: {first[2]}, self: 3}}\n"
        f"lessons:\n  - {LESSONS[0]}\n  - {{text: {LESSONS[1]}, by: 王芳}}\nnext_steps:\n  - {NEXT_STEPS[0]}\n",
        encoding="utf-8")
    result = runner.invoke(app, ["okrs", "scores", str(scores), "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    return db


def expected_finals(db: Path) -> dict[str, str]:
    """Final score per KR from the file written above: committee if given, else self."""
    first = [r["kr_id"] for r in cli_json(db, "krs", "--cycle", CYCLE)][:3]
    return dict(zip(first, ["6", "5.5", "3"]))


def report(db: Path, out: Path, *args) -> Path:
    result = runner.invoke(app, ["report", "--cycle", CYCLE, "--out", str(out), "--db", str(db), *args])
    assert result.exit_code == 0, result.stderr
    return out


def needs(*programs: str) -> None:
    if not all(shutil.which(p) for p in programs):
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(programs)} must be installed in CI (.ci/run)")
        pytest.skip(f"needs {', '.join(programs)} (Debian's chromium, poppler-utils)")


@pytest.fixture(scope="module")
def html_zh(scored, tmp_path_factory) -> Slides:
    out = report(scored, tmp_path_factory.mktemp("html") / "q4.html", "--language", "zh", "--as-of", AS_OF)
    return read_html(out.read_text(encoding="utf-8"))


def test_html_kr_rows_are_those_of_krs_and_scores_on_the_as_of_day(scored, html_zh):
    assert html_zh.scripts_with_src == []  # plotly inlined: opens offline
    krs = cli_json(scored, "krs", "--cycle", CYCLE, "--as-of", AS_OF)
    assert {r["as_of"] for r in krs} == {AS_OF}
    suggested = {r["kr_id"]: r["suggested"] for r in cli_json(scored, "scores", "--cycle", CYCLE) if r["level"] == "kr"}
    finals = expected_finals(scored)
    for kr in krs:
        row = html_zh.slides[kr["objective_id"]]["rows"][kr["kr_id"]]
        assert row == [f"{kr['kr_id']} {kr['kr']}", kr["owner"] or "–", shown(kr["metric"], kr["target"]),
                       shown(kr["metric"], kr["actual"]), whole_percent(kr["attainment"]), row[5],
                       "–" if suggested[kr["kr_id"]] is None else f"{suggested[kr['kr_id']]:g}",
                       finals.get(kr["kr_id"], "–")]
        assert row[5] == {"achieved": "已达成", "on_track": "进展正常", "at_risk": "有风险", "off_track": "落后",
                          "no_data": "无数据"}[kr["status"]]


def test_html_slides_in_order_with_summary_objectives_quarter_adoption_lessons(scored, html_zh):
    objectives = cli_json(scored, "objectives", "--cycle", CYCLE, "--as-of", AS_OF)
    assert list(html_zh.slides) == ["summary", *(o["objective_id"] for o in objectives), "quarter", "adoption", "lessons"]
    assert html_zh.slides["summary"]["title"] == f"{CYCLE}：OKR 成果"
    for o in objectives:
        assert html_zh.slides[o["objective_id"]]["title"] == f"{o['objective_id']} · {o['objective']}"
        assert html_zh.slides["summary"]["rows"][o["objective_id"]][2] == whole_percent(o["progress"])
    # the objective's score: its KRs' final scores weighted by their weights, here by hand
    krs = cli_json(scored, "krs", "--cycle", CYCLE, "--as-of", AS_OF)
    finals = {k: float(v) for k, v in expected_finals(scored).items()}
    first = krs[0]["objective_id"]
    mine = [(finals[r["kr_id"]], r["weight"]) for r in krs if r["objective_id"] == first and r["kr_id"] in finals]
    score = round(sum(f * w for f, w in mine) / sum(w for _, w in mine), 2)
    assert html_zh.slides["summary"]["rows"][first][3] == f"{score:g}"
    assert html_zh.slides["lessons"]["items"] == [LESSONS[0], f"{LESSONS[1]}（王芳）", NEXT_STEPS[0]]  # full-width in Chinese


def test_html_quarter_numbers_are_those_of_impact(scored, html_zh):
    since = {r["metric"]: r for r in cli_json(scored, "impact", "--cycle", CYCLE, "--as-of", AS_OF)
             if r["section"] == "since_adoption"}
    rows = html_zh.slides["adoption"]["rows"]
    assert rows["sqls"][1:3] == [shown("sqls", since["sqls"]["value"]), shown("sqls", since["sqls"]["previous"])]
    assert rows["sqls"][4] == f"{since['sqls']['multiple']:.2f}×"
    assert rows["spend"][1] == shown("spend", since["spend"]["value"])


def test_pdf_is_chromium_printing_that_page(scored, tmp_path):
    needs("chromium", "pdftotext")
    out = report(scored, tmp_path / "q4.pdf", "--as-of", AS_OF)
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())  # a long title may wrap: compare without white space
    assert f"{CYCLE}:OKRresults" in flat
    for kr in cli_json(scored, "krs", "--cycle", CYCLE, "--as-of", AS_OF):
        for value in (kr["kr_id"] + kr["kr"], shown(kr["metric"], kr["actual"]), whole_percent(kr["attainment"])):
            assert "".join(value.split()) in flat, value
    assert all("".join(n.split()) in flat for n in (*LESSONS, *NEXT_STEPS))
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    objectives = cli_json(scored, "objectives", "--cycle", CYCLE)
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) == len(objectives) + 4  # a slide a page


def test_pptx_has_a_slide_per_objective_with_editable_titles_tables_and_chart_images(scored, html_zh, tmp_path):
    needs("chromium")
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

    deck = Presentation(str(report(scored, tmp_path / "q4.pptx", "--language", "zh", "--as-of", AS_OF)))
    slides = list(deck.slides)
    assert [s.shapes.title.text for s in slides] == [s["title"] for s in html_zh.slides.values()]
    assert all(s.shapes.title.placeholder_format.type == PP_PLACEHOLDER.TITLE for s in slides)
    by_title = {s["title"]: key for key, s in html_zh.slides.items()}
    for slide in slides:
        key = by_title[slide.shapes.title.text]
        tables = [s.table for s in slide.shapes if s.has_table]
        rows = [[c.text for c in row.cells] for table in tables for row in table.rows]
        for row in html_zh.slides[key]["rows"].values():
            assert row in rows  # the same cells as the HTML's table
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        if key not in ("summary", "adoption", "lessons"):  # objectives and the quarter: one chart each
            assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
            assert pictures[0].image.size[0] >= 1000  # drawn at the slide's width, not a thumbnail
    lessons = " ".join(s.text_frame.text for s in slides[-1].shapes if s.has_text_frame)
    assert all(n in lessons for n in (*LESSONS, *NEXT_STEPS))


def test_english_and_unknown_formats(scored, tmp_path):
    out = report(scored, tmp_path / "q4.html")
    page = read_html(out.read_text(encoding="utf-8"))
    assert page.slides["summary"]["title"] == f"{CYCLE}: OKR results"
    assert page.slides["lessons"]["title"] == "Lessons and next steps"
    result = runner.invoke(app, ["report", "--cycle", CYCLE, "--out", str(tmp_path / "q4.docx"), "--db", str(scored)])
    assert result.exit_code == 1 and "unknown report format" in result.stderr and ".pptx" in result.stderr


def test_pdf_and_pptx_without_chromium_say_so_in_one_line(scored, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without chromium
    for suffix in (".pdf", ".pptx"):
        result = runner.invoke(app, ["report", "--cycle", CYCLE, "--out", str(tmp_path / f"q4{suffix}"), "--db", str(scored)])
        assert result.exit_code == 1 and "needs Chromium" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not (tmp_path / f"q4{suffix}").exists()


def test_pptx_layout_helpers_doctests():
    import doctest

    from dashboard import report_pptx

    result = doctest.testmod(report_pptx)
    assert result.attempted > 0 and result.failed == 0


def test_an_objective_scored_in_part_says_how_many_krs_its_score_covers(demo_warehouse, tmp_path):
    """Only KR1.1 of O1's three KRs scored (self 6): O1's score is 6, from 1 of 3 KRs."""
    from dashboard.report_content import deck, gather
    from pipelines.warehouse import reader

    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_warehouse, db)
    scores = tmp_path / "scores.yaml"
    scores.write_text(f"cycle: {CYCLE}\nscores:\n  - {{kr: KR1.1, self: 6}}\n", encoding="utf-8")
    assert runner.invoke(app, ["okrs", "scores", str(scores), "--db", str(db)]).exit_code == 0
    with reader(db) as con:
        data = gather(con, CYCLE)
    slides = {s.key: s for s in deck(data, "en").slides}
    assert slides["O1"].subtitle.endswith("score 6 (1 of 3 key results scored)")
    assert "score" not in slides["O2"].subtitle  # nothing scored, nothing said
    assert {s.key: s for s in deck(data, "zh").slides}["O1"].subtitle.endswith("得分 6（3 个关键结果中已评 1 个）")


def test_a_quarter_judged_on_its_last_day_shows_reached_and_not_reached(demo_warehouse):
    """The demo's 2026-Q3 (closed): `krs` on 09-30 gives the statuses; the summary counts the
    achieved ones and the rest as not reached, not "on track"."""
    from dashboard.report_content import deck, gather
    from pipelines.warehouse import reader

    statuses = [r["status"] for r in cli_json(demo_warehouse, "krs", "--cycle", "2026-Q3")]
    with reader(demo_warehouse) as con:
        summary = deck(gather(con, "2026-Q3"), "en").slides[0]
    assert [(t.label, t.value) for t in summary.tiles] == [
        ("Achieved", str(statuses.count("achieved"))), ("Not reached", str(len(statuses) - statuses.count("achieved")))]
    assert statuses.count("on_track") > 0  # the case the review met: on track on the last day


def test_since_adoption_says_growth_as_a_multiple_and_a_fall_as_a_change():
    """A fall written "0.8x" read as growth to the second review's CEO."""
    from dashboard.i18n import catalogue
    from dashboard.report_content import since_changes

    def text(key, **values):
        return catalogue("en")[key].format(**values)

    since = {"sqls": {"multiple": 3.1234, "pct_change": 2.1234}, "mqls": {"multiple": None, "pct_change": None},
             "won_revenue": {"multiple": 0.84, "pct_change": -0.16}, "cost_per_sql": {"multiple": 0.49, "pct_change": -0.51}}
    assert since_changes(since, text) == [
        f"{text('metric.sqls')} 3.1x", f"{text('metric.won_revenue')} -16%", f"{text('metric.cost_per_sql')} -51%"]


def test_a_whole_quarter_is_not_said_to_be_compared_day_for_day(demo_warehouse):
    from dashboard.report_content import deck, gather
    from pipelines.warehouse import reader

    with reader(demo_warehouse) as con:
        closed, running = (deck(gather(con, c), "en") for c in ("2026-Q3", CYCLE))
    quarter = {d.cycle: next(s for s in d.slides if s.kind == "quarter").subtitle for d in (closed, running)}
    assert quarter["2026-Q3"] == ("2026-Q3 against 2026-Q2. Conversion rates count the conversions made within each "
                                  "quarter, as key results do.")
    assert "(a running quarter is compared day for day)" in quarter[CYCLE]
