"""Print rows as a table for people, or as JSON / CSV for scripts (a list of flat objects)."""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def neutralise(value: object) -> str:
    """The cell as text a spreadsheet shows and never runs (CSV injection: a cell starting with
    ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading apostrophe, a plain number excepted);
    None is an empty cell.

    >>> [neutralise(v) for v in ("@SUM(A1)", "+cmd", "\\t=1", "+20", "-1,234.50", "-", None, 7)]
    ["'@SUM(A1)", "'+cmd", "'\\t=1", '+20', '-1,234.50', "'-", '', '7']
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def plain(value):
    """A JSON-friendly scalar: decimals as numbers, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def render(rows: list[dict], fmt: Format, columns: list[str] | None = None, out=None) -> None:
    out = out or sys.stdout
    rows = [{k: plain(v) for k, v in r.items()} for r in rows]
    columns = columns or (list(rows[0]) if rows else [])
    if fmt is Format.json:
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt is Format.csv:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        # A CSV is opened in spreadsheets: text from exports must not run there as a formula.
        writer.writerows({k: neutralise(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
    else:
        _table(rows, columns, out)


def _table(rows: list[dict], columns: list[str], out) -> None:
    if not rows:
        out.write("(no rows)\n")
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(_width(c), *(_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    out.write("  ".join(_pad(c, w) for c, w in zip(columns, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(_pad(v, w) for v, w in zip(row, widths)).rstrip() + "\n")


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."
