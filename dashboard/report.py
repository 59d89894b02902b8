"""The quarter's report for the CEO in three files, all rendered from one deck
(``dashboard.report_content``): HTML (one self-contained page, plotly inlined, so it opens
offline and its charts stay interactive), PDF (headless Chromium printing that page, a slide a
page) and PPTX (``dashboard.report_pptx``). The Present page shows the same slides through
``slide_html``.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

import plotly.io as pio

from dashboard.report_content import Deck, Slide, Table
from pipelines.errors import ConfigError

FORMATS = {".html": "text/html", ".pdf": "application/pdf",
           ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
# Scoped to .okr-slide so the Present page can carry the same rules inside Streamlit's own.
STYLE = """.okr-slide{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;color:#1f2328}
.okr-slide h1{font-size:2.2rem;margin:0 0 .3rem}.okr-slide .sub{color:#57606a;margin:0 0 1rem}
.okr-slide .lead{font-size:1.5rem;font-weight:600;margin:.8rem 0}
.okr-slide table{border-collapse:collapse;width:100%;margin:1rem 0}
.okr-slide th,.okr-slide td{border-bottom:1px solid #eaeef2;padding:.4rem .6rem;text-align:left}
.okr-slide td.n,.okr-slide th.n{text-align:right}
.okr-slide .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.8rem;margin:1rem 0}
.okr-slide .tile{border:1px solid #d0d7de;border-radius:8px;padding:.5rem .8rem}
.okr-slide .tile b{display:block;font-size:1.6rem}.okr-slide .tile small{color:#57606a}
.okr-slide .achieved,.okr-slide .on_track{color:#1a7f37}.okr-slide .at_risk{color:#9a6700}
.okr-slide .off_track{color:#cf222e}.okr-slide .no_data{color:#57606a}
.okr-slide .note{color:#57606a;font-size:.9rem}.okr-slide li{margin:.3rem 0}"""
# Printed, a slide is a page: the quarter's eight tiles in one row leave its waterfall room.
PAGE_STYLE = """body{margin:2rem auto;max-width:1100px}section.okr-slide{margin-bottom:3rem}
@media print{@page{size:A4 landscape;margin:12mm}body{margin:0;max-width:none}
section.okr-slide{break-after:page;margin:0}.js-plotly-plot{break-inside:avoid}.modebar{display:none}
.okr-slide .tiles{grid-template-columns:repeat(8,1fr);gap:.4rem}.okr-slide .tile b{font-size:1.15rem}}"""


def html_page(deck: Deck) -> str:
    """The report as one HTML document."""
    sections = []
    for slide in deck.slides:
        before, after = slide_html(slide)
        chart = pio.to_html(slide.figure, full_html=False, include_plotlyjs=False) if slide.figure else ""
        sections.append(f"<section class='okr-slide' data-slide='{_e(slide.key)}'>{before}{chart}{after}</section>")
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if deck.language == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{_e(deck.title)}</title><style>{STYLE}{PAGE_STYLE}</style>{_plotly_script()}</head>"
            f"<body>{''.join(sections)}</body></html>")


def slide_html(slide: Slide) -> tuple[str, str]:
    """A slide's HTML before and after its chart (the page draws the chart with Streamlit)."""
    before = [f"<h1>{_e(slide.title)}</h1>"]
    if slide.subtitle:
        before.append(f"<p class='sub'>{_e(slide.subtitle)}</p>")
    if slide.lead:
        before.append(f"<p class='lead'>{_e(slide.lead)}</p>")
    if slide.tiles:
        before.append("<div class='tiles'>" + "".join(
            f"<div class='tile'><small>{_e(t.label)}</small><b class='{t.tone}'>{_e(t.value)}</b>"
            + (f"<small>{_e(t.detail)}</small>" if t.detail else "") + "</div>" for t in slide.tiles) + "</div>")
    if slide.table:
        before.append(_table(slide.table))
    after = [f"<h2>{_e(heading)}</h2><ul>{''.join(f'<li>{_e(i)}</li>' for i in items)}</ul>"
             for heading, items in slide.lists if items]
    if slide.note:
        after.append(f"<p class='note'>{_e(slide.note)}</p>")
    return "".join(before), "".join(after)


def _table(table: Table) -> str:
    head = "".join(f"<th{' class=n' if i in table.numeric else ''}>{_e(c)}</th>" for i, c in enumerate(table.columns))
    body = []
    for n, (key, row) in enumerate(zip(table.keys, table.rows)):
        tone = table.tones[n] if table.tones else None
        cells = "".join(
            f"<td class='{'n' if i in table.numeric else ''} {tone if i == table.tone_column else ''}'>{_e(c)}</td>"
            for i, c in enumerate(row))
        body.append(f"<tr data-row='{_e(key)}'>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render(deck: Deck, suffix: str) -> bytes:
    """The deck as the file type of ``suffix`` (a key of ``FORMATS``)."""
    if suffix == ".pptx":
        from dashboard.report_pptx import pptx

        return pptx(deck)
    page = html_page(deck)
    return pdf(page) if suffix == ".pdf" else page.encode("utf-8")


# FACTS.md: Debian's Chromium, headless, without the network calls this machine refuses; the
# virtual time budget lets plotly draw before the page is printed.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=10000",
                  "--no-pdf-header-footer",
                  "--window-size=1032,730")  # A4 landscape less the margins: plotly lays out for the printed width


def chromium() -> str:
    """Debian's Chromium, which prints the PDF and draws the PPTX's charts.

    Raises:
        ConfigError: it is not installed.
    """
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise ConfigError("a PDF or PPTX report needs Chromium", column="--out",
                          hint="install it (Debian: apt-get install chromium fonts-noto-cjk), or write .html")
    return found


def pdf(page: str) -> bytes:
    """Print the HTML report to PDF with headless Chromium.

    Raises:
        ConfigError: Chromium is not installed, or it printed nothing.
    """
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="okrfunnel-report-") as folder:
        source, out = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        done = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={out}", source.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else None
            raise ConfigError("Chromium could not print the report", value=last)
        return out.read_bytes()


def _plotly_script() -> str:
    from plotly.offline import get_plotlyjs

    return f"<script>{get_plotlyjs()}</script>"


def _e(value) -> str:
    return html.escape(str(value))
