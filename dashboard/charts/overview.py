"""Pure plotly builders for the Overview: rows in, figure out; no Streamlit, no queries."""

from __future__ import annotations

import plotly.graph_objects as go

STATUS_COLOURS = {
    "achieved": "#1a7f37", "on_track": "#2da44e", "at_risk": "#d4a72c", "off_track": "#cf222e", "no_data": "#8c959f",
}
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"  # Chinese labels render in charts


def attainment_bars(rows: list[dict], expected: float, labels: dict[str, str], expected_label: str) -> go.Figure:
    """One bar per KR: attainment, coloured by status, against a marker at the share of the cycle
    gone by. Bars are drawn between -20% and 150%; the label gives the true value."""
    shown = [min(max(r["attainment"] or 0.0, -0.2), 1.5) for r in rows]
    figure = go.Figure(go.Bar(
        x=shown, y=[f"{r['kr_id']} {labels.get(r['kr_id'], '')}"[:48] for r in rows], orientation="h",
        marker_color=[STATUS_COLOURS[r["status"]] for r in rows],
        text=["–" if r["attainment"] is None else f"{r['attainment']:.0%}" for r in rows], textposition="outside",
        hovertemplate="%{y}<br>%{text}<extra></extra>",
    ))
    figure.add_vline(x=expected, line_dash="dash", line_color="#57606a",
                     annotation_text=f"{expected_label} {expected:.0%}", annotation_position="top")
    figure.update_layout(
        height=60 + 38 * len(rows), margin={"l": 10, "r": 30, "t": 30, "b": 10}, font_family=FONT,
        xaxis={"range": [-0.2, 1.6], "tickformat": ".0%"}, yaxis={"autorange": "reversed"}, showlegend=False,
    )
    return figure
