"""The deck as a PowerPoint file (python-pptx): one slide per slide of the deck, each title in the
layout's real title placeholder (editable, and what PowerPoint's outline and accessibility checker
read), tables as PowerPoint tables, charts as PNG images.

Charts are drawn by kaleido in Debian's Chromium (the same browser that prints the PDF), all in
one browser session; MathJax is off, as kaleido would otherwise fetch it from a CDN.
"""

from __future__ import annotations

import asyncio
import io
import math
import unicodedata

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from dashboard.charts.overview import STATUS_COLOURS
from dashboard.report_content import Deck, Slide, Table

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9, as meeting-room screens are
MARGIN = Inches(0.5)
TITLE_ONLY = 5  # the default template's "Title Only" layout
PIXELS_PER_INCH = 96
GREY = RGBColor(0x57, 0x60, 0x6A)
CELL_PADDING = Inches(0.1)  # top and bottom margins of a table cell


def pptx(deck: Deck) -> bytes:
    """The deck as PPTX bytes.

    Raises:
        ConfigError: Chromium, which draws the charts, is not installed.
    """
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    presentation.core_properties.title = deck.title
    placed = [_place(presentation, slide) for slide in deck.slides]
    charts = [p for p in placed if p[2] is not None]
    for (page, box, _), image in zip(charts, _images([(figure, box) for _, box, figure in charts])):
        page.shapes.add_picture(io.BytesIO(image), *box)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _place(presentation, slide: Slide):
    """Lay out one slide top to bottom; the chart takes the room left, drawn afterwards with the
    others. Returns the pptx slide, the chart's box (left, top, width, height) and the figure."""
    page = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY])
    title = page.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(0.9)
    title.text = slide.title
    title.text_frame.paragraphs[0].runs[0].font.size = Pt(30)
    y = Inches(1.15)
    if slide.subtitle:
        y = _text(page, y, slide.subtitle, Pt(16), colour=GREY)
    if slide.lead:
        y = _text(page, y, slide.lead, Pt(22), bold=True)
    if slide.tiles:
        rows = [[t.value for t in slide.tiles]] + ([[t.detail for t in slide.tiles]] if any(t.detail for t in slide.tiles) else [])
        y = _table(page, y, Table([t.label for t in slide.tiles], rows, ["value", "detail"][: len(rows)]), Pt(12))
    if slide.table:
        y = _table(page, y, slide.table, Pt(12), wide_first=True)
    for heading, items in slide.lists:
        if items:
            y = _text(page, y, heading, Pt(20), bold=True)
            y = _text(page, y, "\n".join(f"• {i}" for i in items), Pt(16))
    bottom = HEIGHT - Inches(0.3)
    if slide.note:
        bottom -= Inches(0.4)
        _text(page, bottom, slide.note, Pt(11), colour=GREY)
    box = (MARGIN, y + Inches(0.1), WIDTH - 2 * MARGIN, max(bottom - y - Inches(0.2), Inches(1.5)))
    return page, box, slide.figure


def _lines(text: str, width: Emu, size: Pt) -> int:
    """About how many lines ``text`` takes in ``width``: PowerPoint wraps it, and the shapes below
    must start after it (a Chinese character is about 1 em wide, a Latin one a little over half).

    >>> _lines("SQLs 3.1x since 2026-Q2", Inches(6), Pt(22)), _lines("自 2026-Q2 以来：SQL 2.3 倍" * 2, Inches(6), Pt(22))
    (1, 2)
    """
    room = width - Inches(0.2)  # the text frame's insets
    return sum(max(1, math.ceil(sum(size * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6) for c in line) / room))
               for line in text.split("\n"))


def _text(page, y: Emu, text: str, size: Pt, bold: bool = False, colour: RGBColor | None = None) -> Emu:
    height = Emu(int(size * 1.3 * _lines(text, WIDTH - 2 * MARGIN, size))) + Inches(0.12)
    frame = page.shapes.add_textbox(MARGIN, y, WIDTH - 2 * MARGIN, height).text_frame
    frame.word_wrap = True
    for n, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold = size, bold
        if colour is not None:
            run.font.color.rgb = colour
    return y + height


def _table(page, y: Emu, table: Table, size: Pt, wide_first: bool = False) -> Emu:
    """``wide_first``: the first column holds titles (a KR, an objective) and takes the room the
    numbers do not need."""
    lines, columns = [table.columns, *table.rows], len(table.columns)
    width = WIDTH - 2 * MARGIN
    first = Emu(int(width * 0.36)) if wide_first and columns > 1 else width // columns
    widths = [first] + [Emu((width - first) // (columns - 1))] * (columns - 1) if columns > 1 else [width]
    heights = [Emu(int(size * 1.25 * max(_lines(v, w, size) for v, w in zip(line, widths)))) + CELL_PADDING
               for line in lines]
    shape = page.shapes.add_table(len(lines), columns, MARGIN, y, width, sum(heights)).table
    for column, w in zip(shape.columns, widths):
        column.width = w
    for row, h in zip(shape.rows, heights):
        row.height = h
    for r, line in enumerate(lines):
        tone = table.tones[r - 1] if r and table.tones else None
        for c, value in enumerate(line):
            cell = shape.cell(r, c)
            cell.text = value
            run = cell.text_frame.paragraphs[0].runs[0]
            run.font.size = size
            if tone and c == table.tone_column:
                run.font.color.rgb = RGBColor.from_string(STATUS_COLOURS[tone].lstrip("#"))
    return y + sum(heights) + Inches(0.15)


def _images(charts: list) -> list[bytes]:
    """PNG of each (figure, box) at the box's size, all drawn in one Chromium."""
    if not charts:
        return []
    import kaleido

    from dashboard.report import chromium

    browser = chromium()

    def pixels(length: Emu) -> int:
        return int(length / Inches(1) * PIXELS_PER_INCH)

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=1, mathjax=False, path=browser, timeout=60) as k:
            return [await k.calc_fig(figure, opts={"format": "png", "width": pixels(box[2]), "height": pixels(box[3]), "scale": 2})
                    for figure, box in charts]

    return asyncio.run(draw())
