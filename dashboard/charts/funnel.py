"""Pure plotly builders for the Funnel page, and the period boundaries the pages ask the metric
layer for (weeks also serve the confidence heatmap). Rows in, figure out: no Streamlit, no queries.

>>> from datetime import date
>>> week_periods(date(2026, 10, 1), date(2026, 10, 12))  # ISO weeks, clipped to the range
[('2026-W40', datetime.date(2026, 10, 1), datetime.date(2026, 10, 4)), ('2026-W41', datetime.date(2026, 10, 5), datetime.date(2026, 10, 11)), ('2026-W42', datetime.date(2026, 10, 12), datetime.date(2026, 10, 12))]
>>> month_periods(date(2026, 10, 1), date(2026, 11, 22))
[('2026-10', datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)), ('2026-11', datetime.date(2026, 11, 1), datetime.date(2026, 11, 22))]
>>> [p[0] for p in quarter_periods(date(2026, 10, 1), date(2026, 11, 22))]
['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']
>>> quarter_periods(date(2026, 10, 1), date(2026, 11, 22))[-1]
('2026-Q4', datetime.date(2026, 10, 1), datetime.date(2026, 11, 22))
>>> quarter_label(date(2027, 2, 1), fiscal_start_month=4)  # fiscal years are named by their start
'2026-Q4'
>>> weeks = week_periods(date(2026, 10, 1), date(2026, 11, 22))
>>> young = young_periods(weeks, date(2026, 11, 22))
>>> sorted(young["mql_to_sql_rate"]), len(young["sql_to_won_rate"]) == len(weeks)
(['2026-W46', '2026-W47'], True)
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from dashboard.charts.overview import FONT

STAGES = ("leads", "mqls", "sqls", "opportunities", "wins")
RATES = ("mql_to_sql_rate", "sql_to_won_rate")
PALETTE = qualitative.Safe + qualitative.Pastel
# How long leads take to reach the next stage (the demo's median: 14 days MQL -> SQL, 58 days SQL
# -> won): a period that ended less than this before the data's last day is a young cohort, whose
# rate still rises as its leads convert.
YOUNG_DAYS = {"mql_to_sql_rate": 14, "sql_to_won_rate": 56}
YOUNG_COLOUR = "#afb8c1"
Period = tuple[str, date, date]  # label, first day, last day (inclusive)


def week_periods(start: date, end: date) -> list[Period]:
    """ISO weeks (Monday to Sunday) from ``start`` to ``end``, the first and last clipped."""
    out, monday = [], start - timedelta(days=start.weekday())
    while monday <= end:
        year, week, _ = monday.isocalendar()
        out.append((f"{year}-W{week:02d}", max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return out


def month_periods(start: date, end: date) -> list[Period]:
    """Calendar months from ``start`` to ``end``, the first and last clipped."""
    out, first = [], start.replace(day=1)
    while first <= end:
        following = _add_months(first, 1)
        out.append((f"{first:%Y-%m}", max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return out


def quarter_periods(start: date, end: date, fiscal_start_month: int = 1, count: int = 4) -> list[Period]:
    """The ``count`` quarters up to the one holding ``start``; that last one ends at ``end``."""
    first = _add_months(start.replace(day=1), -(((start.month - fiscal_start_month) % 12) % 3))
    out = []
    for back in range(count - 1, -1, -1):
        begin = _add_months(first, -3 * back)
        last = _add_months(begin, 3) - timedelta(days=1)
        out.append((quarter_label(begin, fiscal_start_month), begin, min(last, end) if back == 0 else last))
    return out


def quarter_label(day: date, fiscal_start_month: int = 1) -> str:
    """The quarter holding ``day`` as ``okrfunnel metrics --period`` names it."""
    offset = (day.month - fiscal_start_month) % 12
    year = day.year if day.month >= fiscal_start_month else day.year - 1
    return f"{year}-Q{offset // 3 + 1}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def young_periods(periods: list[Period], last_day: date) -> dict[str, set[str]]:
    """Per conversion rate, the periods whose cohorts are still young on ``last_day``: those that
    ended less than ``YOUNG_DAYS`` before it."""
    return {rate: {label for label, _, end in periods if (last_day - end).days < days}
            for rate, days in YOUNG_DAYS.items()}


def colours(members: list) -> dict:
    """One stable colour per member, in the order given."""
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(members)}


def stage_panels(parts: list[dict], totals: list[dict], periods: list[str], dim: str,
                 members: dict, titles: dict[str, str], young: dict[str, set[str]] | None = None) -> go.Figure:
    """Five small panels of stage counts per period, stacked by ``dim`` member (``members`` maps
    each value to its label, in legend order), and a sixth with the conversion rates of the whole:
    the periods in ``young[rate]`` (cohorts still converting) drawn lighter, so that a rate still
    rising does not read as a fall (``titles["young"]`` names them in the legend)."""
    young = young or {}
    cells = {(r["period"], r[dim]): r for r in parts}
    rates = {r["period"]: r for r in totals}
    colour = colours(list(members))
    figure = make_subplots(rows=2, cols=3, subplot_titles=[titles[n] for n in (*STAGES, "conversion")],
                           vertical_spacing=0.14, horizontal_spacing=0.06)
    for i, stage in enumerate(STAGES):
        for member, label in members.items():
            figure.add_trace(go.Bar(
                x=periods, y=[(cells.get((p, member)) or {}).get(stage) or 0 for p in periods],
                name=label, legendgroup=str(member), showlegend=i == 0, marker_color=colour[member],
                hovertemplate=f"{titles[stage]} · {label}<br>%{{x}}: %{{y:,}}<extra></extra>",
            ), row=i // 3 + 1, col=i % 3 + 1)
    legend_young = True
    for rate, dash in zip(RATES, ("solid", "dot")):
        values = [(rates.get(p) or {}).get(rate) for p in periods]
        fresh = [p in young.get(rate, set()) for p in periods]
        # the young part starts at the last grown-up point, so that the line goes on unbroken
        first = next((i for i, f in enumerate(fresh) if f), len(periods))
        figure.add_trace(go.Scatter(
            x=periods, y=[None if f else v for v, f in zip(values, fresh)], name=titles[rate], mode="lines+markers",
            line={"color": "#24292f", "dash": dash}, legendgroup=rate,
            hovertemplate=f"{titles[rate]}<br>%{{x}}: %{{y:.1%}}<extra></extra>",
        ), row=2, col=3)
        if first < len(periods):
            start = max(first - 1, 0)
            figure.add_trace(go.Scatter(
                x=periods[start:], y=values[start:], name=titles.get("young", ""), mode="lines+markers",
                line={"color": YOUNG_COLOUR, "dash": dash}, marker={"symbol": "circle-open"},
                legendgroup="young", showlegend=legend_young and "young" in titles, legendrank=1001,
                hovertemplate=f"{titles[rate]} ({titles.get('young', '')})<br>%{{x}}: %{{y:.1%}}<extra></extra>",
            ), row=2, col=3)
            legend_young = False
    short = len({p[:4] for p in periods}) == 1 and all(p[5:6] in ("W", "Q") for p in periods)  # "W40" is enough
    figure.update_xaxes(type="category", tickvals=periods, ticktext=[p[5:] if short else p for p in periods])
    figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=2, col=3)
    figure.update_layout(barmode="stack", height=620, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font_family=FONT,
                         legend={"orientation": "h", "y": -0.08})
    return figure


def funnel_chart(stages: list[tuple[str, float]]) -> go.Figure:
    """The cycle to date as a funnel: each stage's count, and its share of the stage above."""
    figure = go.Figure(go.Funnel(
        y=[label for label, _ in stages], x=[value for _, value in stages],
        texttemplate="%{value:,}<br>%{percentPrevious:.0%}", marker={"color": PALETTE[: len(stages)]},
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    ))
    figure.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10}, font_family=FONT)
    return figure


def spend_by_channel(rows: list[dict], labels: dict, titles: dict[str, str]) -> go.Figure:
    """Spend per channel as bars, cost per MQL and per SQL as markers on a second axis; only the
    channels with spend (a channel without a cost export has no cost to show)."""
    shown = [r for r in rows if r["spend"]]
    names = [labels[r["channel"]] for r in shown]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Bar(x=names, y=[r["spend"] for r in shown], name=titles["spend"], marker_color="#8c959f",
                            hovertemplate=f"{titles['spend']}<br>%{{x}}: %{{y:,.0f}}<extra></extra>"))
    for name, symbol in (("cost_per_mql", "circle"), ("cost_per_sql", "diamond")):
        figure.add_trace(go.Scatter(
            x=names, y=[r[name] for r in shown], name=titles[name], mode="markers",
            marker={"size": 12, "symbol": symbol}, hovertemplate=f"{titles[name]}<br>%{{x}}: %{{y:,.0f}}<extra></extra>",
        ), secondary_y=True)
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text=titles["spend"], secondary_y=False, rangemode="tozero", tickformat=",.0f", automargin=True)
    figure.update_yaxes(title_text=titles["cost"], secondary_y=True, rangemode="tozero", showgrid=False, tickformat=",.0f",
                        tickmode="auto", nticks=5,
                        automargin=True)
    figure.update_layout(height=360, margin={"l": 60, "r": 60, "t": 10, "b": 10}, font_family=FONT,  # room for axis titles
                         legend={"orientation": "h", "y": -0.15})
    return figure
