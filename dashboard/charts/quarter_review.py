"""Pure plotly builders for the Quarter review: rows in, figure out; no Streamlit, no queries.

>>> rows = [{"member": "events", "value": 359, "previous": 245, "change": 114},
...         {"member": "email", "value": 72, "previous": 105, "change": -33}]
>>> waterfall_steps(rows, {"value": 431, "previous": 350}, "Q3", "Q4", {"events": "Events", "email": "Email"})
(['Q3', 'Events', 'Email', 'Q4'], [350, 114, -33, 431], ['absolute', 'relative', 'relative', 'total'])
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.overview import FONT

UP, DOWN, TOTAL = "#2da44e", "#cf222e", "#57606a"


def waterfall_steps(parts: list[dict], whole: dict, previous_label: str, value_label: str,
                    labels: dict) -> tuple[list[str], list[float], list[str]]:
    """The bars of a waterfall: the previous quarter, each member's change, this quarter. The
    impact layer makes the parts add up to the whole exactly (to the cent), so the last bar is
    where the others end."""
    x = [previous_label, *(labels[p["member"]] for p in parts), value_label]
    y = [whole["previous"] or 0, *(p["change"] or 0 for p in parts), whole["value"] or 0]
    return x, y, ["absolute", *(["relative"] * len(parts)), "total"]


def waterfall(parts: list[dict], whole: dict, previous_label: str, value_label: str, labels: dict,
              texts: list[str]) -> go.Figure:
    """Last quarter's value, each channel's change, this quarter's value (``texts``: bar labels)."""
    x, y, measure = waterfall_steps(parts, whole, previous_label, value_label, labels)
    figure = go.Figure(go.Waterfall(
        x=x, y=y, measure=measure, text=texts, textposition="outside", connector={"line": {"color": "#d0d7de"}},
        increasing={"marker": {"color": UP}}, decreasing={"marker": {"color": DOWN}}, totals={"marker": {"color": TOTAL}},
        hovertemplate="%{x}: %{text}<extra></extra>", cliponaxis=False,
    ))
    figure.update_layout(height=420, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font_family=FONT, showlegend=False,
                         xaxis={"type": "category"})
    return figure

