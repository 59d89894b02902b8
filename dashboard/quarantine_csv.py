"""The quarantine browser's filter and its CSV download: pure functions, rows in, rows or bytes out.

A set-aside row holds text exactly as an export had it, so a cell can be a spreadsheet formula
(OWASP "CSV injection"): ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` would run when the analyst
opens the download. The rule (``pipelines.output.neutralise``, shared with ``okrfunnel ... --format csv``):

- a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or the
  full-width ``＝ ＋ － ＠`` that some spreadsheets also read as formula starts) gets a leading
  apostrophe, which makes a spreadsheet keep it as text;
- except a plain number (an optional sign, digits with optional thousands commas, an optional
  decimal part: ``-20``, ``+3.5``, ``-1,234.50``): it cannot run anything, and the negative
  cost that got a row set aside should read ``-20``, not ``'-20``.

Every column is treated, not only ``value``: a file name or a raw row can carry a formula too.
The header is the CLI's (``okrfunnel quarantine --format csv``), so scripts read either. The text
is UTF-8 with a byte-order mark (Excel then opens Chinese correctly) and CRLF line ends (RFC 4180).

>>> neutralise("=1+1"), neutralise("-20"), neutralise("-2+3+cmd|' /C calc'!A0")
("'=1+1", '-20', "'-2+3+cmd|' /C calc'!A0")
>>> to_csv([{"run_id": 1, "file": "a.csv", "row": 7, "column": "消费", "value": "-50.00",
...          "reason": "must not be negative", "check": "between", "raw_row": None}]).decode("utf-8-sig")
'run_id,file,row,column,value,reason,check,raw_row\\r\\n1,a.csv,7,消费,-50.00,must not be negative,between,\\r\\n'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from pipelines.output import neutralise

COLUMNS = ("run_id", "file", "row", "column", "value", "reason", "check", "raw_row")
def to_csv(rows: Iterable[dict], columns: Iterable[str] = COLUMNS) -> bytes:
    """The rows as a CSV download: neutralised cells, UTF-8 with BOM, CRLF."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def matching(rows: Iterable[dict], files: Iterable[str] = (), columns: Iterable[str] = (),
             reasons: Iterable[str] = (), text: str = "") -> list[dict]:
    """The rows the browser's filters keep: each chosen list narrows (empty keeps all; a row
    without a column, a line that did not parse, is ``""``), and ``text`` is a case-insensitive
    search in every cell.

    >>> rows = [{"file": "a.csv", "column": "Cost", "reason": "negative", "value": "-5"},
    ...         {"file": "b.csv", "column": None, "reason": "bad line", "value": "x,,y"}]
    >>> [r["file"] for r in matching(rows, columns=[""])], [r["file"] for r in matching(rows, text="COST")]
    (['b.csv'], ['a.csv'])
    """
    files, columns, reasons, needle = set(files), set(columns), set(reasons), text.strip().casefold()
    return [
        r for r in rows
        if (not files or r["file"] in files)
        and (not columns or (r["column"] or "") in columns)
        and (not reasons or r["reason"] in reasons)
        and (not needle or any(needle in str(v).casefold() for v in r.values() if v is not None))
    ]
