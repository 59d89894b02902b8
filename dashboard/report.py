"""The quarter's report for the CEO as one self-contained HTML file (issue 5, first format):
cycle summary, each objective with its KR outcomes, scores and chart, the quarter-over-quarter
waterfall and the comparison since adopting OKRs.

Numbers come from the same functions as ``okrfunnel krs``, ``impact`` and ``scores``; charts from
the dashboard's builders; words from its catalogues. Plotly's script is inlined, so the file opens
offline and its charts stay interactive.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import plotly.io as pio

from dashboard.charts.overview import attainment_bars
from dashboard.charts.quarter_review import waterfall
from dashboard.format import change, metric_value, percent
from dashboard.i18n import catalogue
from pipelines.config import Settings
from pipelines.errors import ConfigError, OkrfunnelError
from pipelines.okr_eval import evaluate, get_cycle
from pipelines.okr_eval import objectives as objective_rows
from pipelines.okr_impact import impact
from pipelines.okr_scores import scores

WATERFALL_METRIC = "sqls"
STYLE = """body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2rem auto;max-width:1100px;
color:#1f2328}h1{font-size:2.2rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}table{border-collapse:collapse;
width:100%;margin:1rem 0}th,td{border-bottom:1px solid #eaeef2;padding:.4rem .6rem;text-align:left}td.n{text-align:right}
.achieved,.on_track{color:#1a7f37}.at_risk{color:#9a6700}.off_track{color:#cf222e}"""


def build(con: duckdb.DuckDBPyConnection, cycle_label: str, language: str = "en", as_of: date | None = None,
          settings: Settings | None = None) -> str:
    """The report as HTML text.

    Raises:
        OkrfunnelError: no such cycle, or its numbers cannot be computed.
    """
    settings = settings or Settings()
    text = catalogue(language)
    cycle = get_cycle(con, cycle_label)
    krs = evaluate(con, cycle.label, as_of, settings)
    currency = settings.reporting_currency or _single_currency(con)
    final = {r["kr_id"]: r for r in scores(con, cycle.label, settings) if r["level"] == "kr"}
    parts = [f"<h1>{_e(text['report.title'].format(cycle=cycle.label))}</h1>",
             f"<p>{_e(text['report.as_of'].format(day=krs[0]['as_of'] if krs else '–'))}</p>"]
    parts.append(_summary(krs, text))
    for objective in objective_rows(con, cycle.label, krs):
        mine = [r for r in krs if r["objective_id"] == objective["objective_id"]]
        parts.append(f"<h2>{_e(objective['objective_id'])} · {_e(objective['objective'])}</h2>")
        parts.append(f"<p>{_e(text['report.progress'].format(progress=percent(objective['progress'])))}</p>")
        if mine:
            parts.append(_kr_table(mine, final, currency, language, text))
            figure = attainment_bars(mine, mine[0]["expected"], {r["kr_id"]: r["kr"] for r in mine}, text["column.expected"])
            figure.update_yaxes(automargin=True)  # a page, not a sidebar layout: room for the KR names
            parts.append(pio.to_html(figure, full_html=False, include_plotlyjs=False))
    try:
        rows = impact(con, cycle.label, settings, as_of)
    except OkrfunnelError:
        rows = []  # a quarter without data yet: no comparison to show
    if rows:
        parts.append(_impact(rows, currency, language, text))
    plotly_js = _plotly_script()
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if language == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{_e(text['report.title'].format(cycle=cycle.label))}</title><style>{STYLE}</style>{plotly_js}</head>"
            f"<body>{''.join(parts)}</body></html>")


# FACTS.md: Debian's Chromium, headless, without the network calls this machine refuses; the
# virtual time budget lets plotly draw before the page is printed.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=10000",
                  "--no-pdf-header-footer")


def write_pdf(page: str, out: Path) -> None:
    """Print the HTML report to PDF with headless Chromium.

    Raises:
        ConfigError: Chromium is not installed, or it printed nothing.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise ConfigError("a PDF report needs Chromium", column="--out", value=str(out),
                          hint="install it (Debian: apt-get install chromium fonts-noto-cjk), or write .html")
    with tempfile.TemporaryDirectory(prefix="okrfunnel-report-") as folder:
        source = Path(folder) / "report.html"
        source.write_text(page, encoding="utf-8")
        done = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={out.resolve()}", source.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else None
        raise ConfigError("Chromium could not print the report", file=out, value=last)


def _plotly_script() -> str:
    from plotly.offline import get_plotlyjs

    return f"<script>{get_plotlyjs()}</script>"


def _summary(krs: list[dict], text: dict) -> str:
    counts = {s: sum(1 for r in krs if r["status"] == s) for s in ("achieved", "on_track", "at_risk", "off_track", "no_data")}
    cells = "".join(f"<td class='{s}'>{_e(text[f'status.{s}'])}: {n}</td>" for s, n in counts.items() if n)
    return f"<table><tr>{cells}</tr></table>"


def _kr_table(rows: list[dict], final: dict, currency: str | None, language: str, text: dict) -> str:
    head = "".join(f"<th>{_e(text[k])}</th>" for k in (
        "column.kr", "column.owner", "column.target", "column.actual", "column.attainment", "column.status",
        "report.suggested", "report.final"))
    body = []
    for r in rows:
        scored = final.get(r["kr_id"], {})
        cells = [
            f"<td>{_e(r['kr_id'])} {_e(r['kr'])}</td>", f"<td>{_e(r['owner'] or '–')}</td>",
            f"<td class='n'>{_e(metric_value(r['metric'], r['target'], currency, language))}</td>",
            f"<td class='n'>{_e(metric_value(r['metric'], r['actual'], currency, language))}</td>",
            f"<td class='n' data-attainment='{r['attainment']}'>{_e(percent(r['attainment']))}</td>",
            f"<td class='{r['status']}'>{_e(text['status.' + r['status']])}</td>",
            f"<td class='n'>{_e(_score(scored.get('suggested')))}</td>", f"<td class='n'>{_e(_score(scored.get('final')))}</td>",
        ]
        body.append(f"<tr data-kr='{_e(r['kr_id'])}'>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _impact(rows: list[dict], currency: str | None, language: str, text: dict) -> str:
    quarter = {r["metric"]: r for r in rows if r["section"] == "quarter"}
    out = [f"<h2>{_e(text['report.quarter'])}</h2><table>"]
    for name in ("leads", "mqls", "sqls", "wins", "won_revenue", "spend", "cost_per_sql", "mql_to_sql_rate"):
        r = quarter[name]
        out.append(f"<tr data-metric='{name}'><td>{_e(text[f'metric.{name}'])}</td>"
                   f"<td class='n'>{_e(metric_value(name, r['value'], currency, language))}</td>"
                   f"<td class='n'>{_e(change(name, r['change'], currency, language))}</td></tr>")
    out.append("</table>")
    split = [r for r in rows if r["section"] == "split" and r["metric"] == WATERFALL_METRIC and r["dimension"] == "channel"]
    if split and quarter[WATERFALL_METRIC]["previous"] is not None:
        labels = {p["member"]: text.get(f"funnel.channel_{p['member']}", p["member"]) for p in split}
        texts = [str(quarter[WATERFALL_METRIC]["previous"]), *(f"{p['change']:+}" for p in split), str(quarter[WATERFALL_METRIC]["value"])]
        figure = waterfall(split, quarter[WATERFALL_METRIC], split[0]["compared_to"], split[0]["period"], labels, texts)
        out.append(pio.to_html(figure, full_html=False, include_plotlyjs=False))
    since = [r for r in rows if r["section"] == "since_adoption" and r["multiple"] is not None]
    if since:
        out.append(f"<h2>{_e(text['report.since'].format(baseline=since[0]['compared_to']))}</h2><table>")
        out += [f"<tr data-since='{r['metric']}'><td>{_e(text['metric.' + r['metric']])}</td>"
                f"<td class='n'>{r['multiple']:.2f}×</td></tr>" for r in since]
        out.append("</table>")
    return "".join(out)


def _single_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    from pipelines.catalog import currencies

    found = currencies(con)
    return found[0] if len(found) == 1 else None


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _e(value) -> str:
    return html.escape(str(value))
