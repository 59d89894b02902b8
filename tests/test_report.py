"""`okrfunnel report --cycle C --out FILE.html`: one self-contained file whose KR titles and
numbers are those of `okrfunnel krs` and `scores` for the same cycle and as-of day."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from dashboard.format import metric_value, percent
from pipelines.cli import app

runner = CliRunner()


class Rows(HTMLParser):
    """Table rows keyed by their data-kr / data-metric attribute: the text of each cell."""

    def __init__(self):
        super().__init__()
        self.rows, self.key, self.scripts_with_src = {}, None, []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts_with_src.append(attrs["src"])
        if tag == "tr" and ("data-kr" in attrs or "data-metric" in attrs):
            self.key = attrs.get("data-kr") or attrs.get("data-metric")
            self.rows[self.key] = []
        if tag == "td" and self.key:
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag == "td" and self.key and self.cell is not None:
            self.rows[self.key].append(self.cell)
            self.cell = None
        if tag == "tr":
            self.key = None


def cli_json(*args):
    result = runner.invoke(app, [*map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_html_report_carries_the_numbers_of_krs(warehouse, tmp_path):
    out = tmp_path / "q4.html"
    result = runner.invoke(app, ["report", "--cycle", "2026-Q4", "--out", str(out), "--db", str(warehouse), "--language", "zh"])
    assert result.exit_code == 0, result.stderr
    page = Rows()
    page.feed(out.read_text(encoding="utf-8"))
    assert page.scripts_with_src == []  # plotly inlined: opens offline
    krs = cli_json("krs", "--cycle", "2026-Q4", "--db", warehouse)
    scored = {r["kr_id"]: r for r in cli_json("scores", "--cycle", "2026-Q4", "--db", warehouse) if r["level"] == "kr"}
    for kr in krs:
        title, owner, target, actual, attainment, _status, suggested, final = page.rows[kr["kr_id"]]
        assert (title, owner) == (f"{kr['kr_id']} {kr['kr']}", kr["owner"])
        assert (target, actual) == (metric_value(kr["metric"], kr["target"], "CNY", "zh"), metric_value(kr["metric"], kr["actual"], "CNY", "zh"))
        assert attainment == percent(kr["attainment"])
        expected = [scored[kr["kr_id"]][k] for k in ("suggested", "final")]
        assert [suggested, final] == ["–" if v is None else f"{v:g}" for v in expected]
    assert "<title>2026-Q4：OKR 成果</title>" in out.read_text(encoding="utf-8")
    quarter = {r["metric"]: r for r in cli_json("impact", "--cycle", "2026-Q4", "--db", warehouse) if r["section"] == "quarter"}
    assert page.rows["sqls"][1] == metric_value("sqls", quarter["sqls"]["value"], "CNY", "zh")


def test_the_pdf_report_is_chromium_printing_that_page(warehouse, tmp_path):
    """Read back with pdftotext (poppler-utils, installed by .ci/run like chromium)."""
    if not (shutil.which("chromium") and shutil.which("pdftotext")):
        if os.environ.get("CI"):
            pytest.fail("chromium and pdftotext must be installed in CI (.ci/run)")
        pytest.skip("needs Debian's chromium and poppler-utils")
    out = tmp_path / "q4.pdf"
    result = runner.invoke(app, ["report", "--cycle", "2026-Q4", "--out", str(out), "--db", str(warehouse)])
    assert result.exit_code == 0, result.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "2026-Q4: OKR results" in text
    for kr in cli_json("krs", "--cycle", "2026-Q4", "--db", warehouse):
        assert kr["kr_id"] in text and percent(kr["attainment"]) in text


def test_other_formats_are_refused_for_now(warehouse, tmp_path):
    result = runner.invoke(app, ["report", "--cycle", "2026-Q4", "--out", str(tmp_path / "q4.pptx"), "--db", str(warehouse)])
    assert result.exit_code == 1 and "unknown report format" in result.stderr
