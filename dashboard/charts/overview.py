"""Pure plotly builders for the Overview: rows in, figure out; no Streamlit, no queries.

>>> rows = [{"kr_id": "KR1", "attainment": 0.542, "status": "on_track"},
...         {"kr_id": "KR2", "attainment": -1.3987, "status": "off_track"},
...         {"kr_id": "KR3", "attainment": 0.0829, "status": "off_track"}]
>>> [(p["text"], p["inside"]) for p in bar_labels(rows, expected=0.58)]
[('54%', True), ('◀ −140%', True), ('8%', False)]
>>> bar_labels(rows, expected=0.12)[2]["x"] > 0.12  # a short bar's label clears the dashed line
True
"""

from __future__ import annotations

import plotly.graph_objects as go

STATUS_COLOURS = {
    "achieved": "#1a7f37", "on_track": "#2da44e", "at_risk": "#d4a72c", "off_track": "#cf222e", "no_data": "#8c959f",
}
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"  # Chinese labels render in charts
LOW, HIGH = -0.2, 1.5  # bars are drawn between these; a bar beyond is clipped and its label says so
_LABEL = 0.1  # about the width of a label such as "54%", in attainment units (the axis spans 1.8)
_GAP = 0.012


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%".replace("-", "−")  # the minus the axis ticks use


def bar_labels(rows: list[dict], expected: float) -> list[dict]:
    """Where each bar's label goes: after the bar's end, unless the "expected by now" line is
    there, then inside the bar's end when the bar is long enough, else past the line. A clipped
    bar's label carries an arrow pointing the way it goes on, and sits inside the bar."""
    out = []
    for r in rows:
        value = r["attainment"]
        if value is None:
            out.append({"x": _GAP, "text": "–", "inside": False})
            continue
        end = min(max(value, LOW), HIGH)
        if value < LOW:
            out.append({"x": LOW + _GAP, "text": "◀ " + _percent(value), "inside": True, "anchor": "left"})
            continue
        if value > HIGH:
            out.append({"x": HIGH - _GAP, "text": _percent(value) + " ▶", "inside": True, "anchor": "right"})
            continue
        start = max(end, 0.0) + _GAP
        on_line = start - _GAP / 2 <= expected <= start + _LABEL
        if not on_line:
            out.append({"x": start, "text": _percent(value), "inside": False})
        elif end >= _LABEL + 2 * _GAP:
            out.append({"x": end - _GAP, "text": _percent(value), "inside": True, "anchor": "right"})
        else:
            out.append({"x": expected + 2 * _GAP, "text": _percent(value), "inside": False})
    return out


def attainment_bars(rows: list[dict], expected: float, labels: dict[str, str], expected_label: str) -> go.Figure:
    """One bar per KR: attainment, coloured by status, against a marker at the share of the cycle
    gone by. Bars are drawn between -20% and 150%; the label gives the true value. The axis runs
    to 110% at least (the target, and a little room), further only when a bar does."""
    shown = [min(max(r["attainment"] or 0.0, LOW), HIGH) for r in rows]
    names = [f"{r['kr_id']} {labels.get(r['kr_id'], '')}"[:48] for r in rows]
    placed = bar_labels(rows, expected)
    figure = go.Figure(go.Bar(
        x=shown, y=names, orientation="h", marker_color=[STATUS_COLOURS[r["status"]] for r in rows],
        customdata=[p["text"] for p in placed], hovertemplate="%{y}<br>%{customdata}<extra></extra>",
    ))
    for r, name, label in zip(rows, names, placed):
        light_bar = r["status"] in ("at_risk", "no_data")
        figure.add_annotation(
            x=label["x"], y=name, text=label["text"], showarrow=False, xanchor=label.get("anchor", "left"),
            font={"color": "#ffffff" if label["inside"] and not light_bar else "#24292f", "size": 12},
        )
    figure.add_vline(x=expected, line_dash="dash", line_color="#57606a",
                     annotation_text=f"{expected_label} {_percent(expected)}", annotation_position="top")
    figure.update_layout(
        height=60 + 38 * len(rows), margin={"l": 10, "r": 30, "t": 30, "b": 10}, font_family=FONT,
        xaxis={"range": [LOW if min(shown, default=0) < 0 else -0.02, max(1.1, max(shown, default=0) + 0.15)],
               "tickformat": ".0%"},
        yaxis={"autorange": "reversed"}, showlegend=False,
    )
    return figure
