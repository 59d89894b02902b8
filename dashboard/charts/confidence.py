"""Pure plotly builders for the Confidence page: rows in, figure out; no Streamlit, no queries.

>>> from datetime import date
>>> weeks = [("2026-W41", date(2026, 10, 5), date(2026, 10, 11)), ("2026-W42", date(2026, 10, 12), date(2026, 10, 18))]
>>> rows = [{"kr_id": "KR1", "date": date(2026, 10, 6), "confidence": 6},
...         {"kr_id": "KR1", "date": date(2026, 10, 9), "confidence": 4}]
>>> weekly_confidence(["KR1", "KR2"], weeks, rows)  # the week's last check-in; none that week: empty
[[4, None], [None, None]]
>>> [r["kr_id"] for r in disagreements([
...     {"kr_id": "KR1", "confidence": 8, "chance": 0.1}, {"kr_id": "KR2", "confidence": 5, "chance": 0.6},
...     {"kr_id": "KR3", "confidence": None, "chance": 0.6}])]
['KR1']
>>> label_positions([(0.8, 0.0), (0.8, 0.07), (0.8, 0.21), (0.4, 0.09), (0.8, 0.3)])
['middle right', 'middle left', 'middle right', 'top center', 'middle left']
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

from dashboard.charts.overview import FONT, STATUS_COLOURS

MARGIN = 0.3  # confidence / 10 and the data's chance further apart than this: they disagree
SCALE = [[0.0, "#cf222e"], [0.5, "#d4a72c"], [1.0, "#2da44e"]]  # confidence 1 red .. 10 green


def weekly_confidence(kr_ids: list[str], weeks: list[tuple[str, date, date]], rows: list[dict]) -> list[list]:
    """Per KR and week, the confidence of the last check-in made that week (None without one)."""
    cells: dict[tuple[str, int], int] = {}
    for row in sorted(rows, key=lambda r: r["date"]):
        for i, (_, start, end) in enumerate(weeks):
            if start <= row["date"] <= end:
                cells[(row["kr_id"], i)] = row["confidence"]
    return [[cells.get((kr, i)) for i in range(len(weeks))] for kr in kr_ids]


def heatmap(krs: dict[str, str], weeks: list[tuple[str, date, date]], rows: list[dict], title: str) -> go.Figure:
    """KRs (``kr_id`` -> row label, top to bottom) by weeks, coloured by confidence 1-10."""
    z = weekly_confidence(list(krs), weeks, rows)
    figure = go.Figure(go.Heatmap(
        z=z, x=[w[0] for w in weeks], y=[_short(label) for label in krs.values()], zmin=1, zmax=10,
        colorscale=SCALE, xgap=2, ygap=2, text=[["" if v is None else str(v) for v in line] for line in z],
        texttemplate="%{text}", colorbar={"title": {"text": title}},
        hovertemplate="%{y}<br>%{x}: %{z}/10<extra></extra>",
    ))
    figure.update_layout(height=80 + 34 * len(krs), margin={"l": 10, "r": 10, "t": 10, "b": 10}, font_family=FONT,
                         xaxis={"type": "category", "side": "top", "tickvals": [w[0] for w in weeks],
                                "ticktext": [w[0].split("-")[-1] for w in weeks]},  # "W40": the year is the cycle's
                         yaxis={"autorange": "reversed", "type": "category"})
    return figure


def disagreements(rows: list[dict], margin: float = MARGIN) -> list[dict]:
    """KR rows whose latest confidence (as a probability) and the data's chance differ by more
    than ``margin``, the widest gap first."""
    both = [r for r in rows if r["confidence"] is not None and r["chance"] is not None]
    return sorted((r for r in both if abs(r["confidence"] / 10 - r["chance"]) > margin),
                  key=lambda r: -abs(r["confidence"] / 10 - r["chance"]))


def label_positions(points: list[tuple[float, float]], near: tuple[float, float] = (0.06, 0.12)) -> list[str]:
    """Where each point's label goes so that labels of points close together do not overlap:
    above a point on its own; in a group of close points (within ``near`` across and up, as
    confidence comes in steps of 0.1, many share an x), right and left in turn from the bottom up."""
    group = list(range(len(points)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i, (x, y) in enumerate(points):
        for j in range(i):
            if abs(points[j][0] - x) <= near[0] and abs(points[j][1] - y) <= near[1]:
                group[root(i)] = root(j)
    out = ["top center"] * len(points)
    members: dict[int, list[int]] = {}
    for i in range(len(points)):
        members.setdefault(root(i), []).append(i)
    for found in members.values():
        if len(found) > 1:
            for turn, i in enumerate(sorted(found, key=lambda k: points[k][1])):
                out[i] = "middle right" if turn % 2 == 0 else "middle left"
    return out


def confidence_vs_chance(rows: list[dict], labels: dict[str, str], axis: dict[str, str]) -> go.Figure:
    """One point per KR: the team's confidence / 10 across, the data's chance up; the diagonal is
    where they agree and the shaded band is within ``MARGIN`` of it."""
    shown = [r for r in rows if r["confidence"] is not None and r["chance"] is not None]
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[0, 1 - MARGIN, 1, 1, MARGIN, 0, 0], y=[0, 0, 1 - MARGIN, 1, 1, MARGIN, 0],
                                mode="lines", fill="toself", fillcolor="rgba(140,149,159,0.12)", line={"width": 0},
                                hoverinfo="skip", showlegend=False))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": "#57606a"},
                                hoverinfo="skip", showlegend=False))
    figure.add_trace(go.Scatter(
        x=[r["confidence"] / 10 for r in shown], y=[r["chance"] for r in shown], mode="markers+text",
        text=[r["kr_id"] for r in shown], textposition=label_positions([(r["confidence"] / 10, r["chance"]) for r in shown]),
        customdata=[_short(labels[r["kr_id"]]) for r in shown],
        marker={"size": 14, "color": [STATUS_COLOURS[r["status"]] for r in shown], "line": {"width": 1, "color": "#fff"}},
        textfont={"size": 12, "color": "#24292f"}, cliponaxis=False,
        hovertemplate="%{customdata}<br>" + axis["x"] + ": %{x:.0%}<br>" + axis["y"] + ": %{y:.0%}<extra></extra>",
        showlegend=False,
    ))
    figure.update_layout(
        height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10}, font_family=FONT,
        xaxis={"range": [0, 1.05], "tickformat": ".0%", "title": {"text": axis["x"]}},
        yaxis={"range": [-0.05, 1.08], "tickformat": ".0%", "title": {"text": axis["y"]}},
    )
    return figure


def brier_bars(rows: list[dict], labels: dict[str, str], reference: str) -> go.Figure:
    """Brier score per owner (lower is better) against 0.25, what always saying 5 earns."""
    figure = go.Figure(go.Bar(
        x=[r["brier"] for r in rows], y=[labels[r["owner"]] for r in rows], orientation="h",
        marker_color=["#2da44e" if r["brier"] < 0.25 else "#cf222e" for r in rows],
        text=[f"{r['brier']:.2f}" for r in rows], textposition="outside", hovertemplate="%{y}: %{x:.2f}<extra></extra>",
    ))
    figure.add_vline(x=0.25, line_dash="dash", line_color="#57606a", annotation_text=reference, annotation_position="top")
    figure.update_layout(height=90 + 34 * len(rows), margin={"l": 10, "r": 30, "t": 30, "b": 10}, font_family=FONT,
                         xaxis={"range": [0, 1]}, yaxis={"autorange": "reversed", "type": "category"}, showlegend=False)
    return figure


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
