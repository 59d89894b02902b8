"""Pure plotly builders for the Key result page."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from dashboard.charts.overview import FONT

DATE_TICKS = {"en": "%b %-d", "zh": "%-m月%-d日"}  # d3 time formats, as each language writes a day


def kr_path(points: list[dict], start: date, end: date, start_value: float, target: float,
            forecast: float | None, labels: dict[str, str], date_ticks: str = DATE_TICKS["en"]) -> go.Figure:
    """The value to date at each week's end against the target line and the expected path (a
    straight line from the start value to the target), with the forecast from the last point."""
    figure = go.Figure()
    known = [p for p in points if p["value"] is not None]
    figure.add_scatter(x=[p["date"] for p in known], y=[p["value"] for p in known], mode="lines+markers",
                       name=labels["actual"], line={"color": "#0969da", "width": 3})
    figure.add_scatter(x=[start, end], y=[start_value, target], mode="lines", name=labels["expected"],
                       line={"color": "#57606a", "dash": "dot"})
    figure.add_scatter(x=[start, end], y=[target, target], mode="lines", name=labels["target"],
                       line={"color": "#1a7f37", "dash": "dash"})
    if forecast is not None and known:
        figure.add_scatter(x=[known[-1]["date"], end], y=[known[-1]["value"], forecast], mode="lines+markers",
                           name=labels["forecast"], line={"color": "#bf8700", "dash": "dash"})
    figure.update_layout(height=360, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font_family=FONT,
                         legend={"orientation": "h", "y": -0.15}, xaxis={"tickformat": date_ticks})
    return figure


def confidence_history(rows: list[dict], label: str, date_ticks: str = DATE_TICKS["en"]) -> go.Figure:
    """Confidence at each check-in, 1-10, drops marked."""
    figure = go.Figure(go.Scatter(
        x=[r["date"] for r in rows], y=[r["confidence"] for r in rows], mode="lines+markers", name=label,
        marker={"size": [14 if r["flags"] else 8 for r in rows], "color": ["#cf222e" if r["flags"] else "#0969da" for r in rows]},
        text=[r["note"] or "" for r in rows], hovertemplate="%{x}: %{y}/10<br>%{text}<extra></extra>",
    ))
    figure.update_layout(height=260, margin={"l": 10, "r": 10, "t": 20, "b": 10}, font_family=FONT,
                         yaxis={"range": [0.5, 10.5], "dtick": 1}, xaxis={"tickformat": date_ticks})
    return figure
