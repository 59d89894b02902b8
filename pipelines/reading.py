"""Open an export as its tool wrote it: find encoding, delimiter and header, load its rows.

Every cell is read as text and typed in SQL in the same pass (``staging.typed_select``), so that a
bad cell becomes a quarantined row, never a crash. Input files are only ever opened for
reading; a file that needs transcoding (GB18030, UTF-16) is decoded into a UTF-8 copy in the
staging folder.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.errors import InputFileError
from pipelines.registry import Registry
from pipelines.sourcespec import SourceSpec
from pipelines.sqltext import quote_ident, sql_literal

if TYPE_CHECKING:
    from pipelines.staging import Typing

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_HEAD_LINES = 40
_HEAD_BYTES = 256 * 1024
_SCAN_BLOCK = 8 * 1024 * 1024
_FEW_GAPS = 16  # lines that take a spreadsheet row but hold no record, counted row by row in a view
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_DELIMITERS = (",", "\t", ";", "|")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Export:
    """An export whose source, encoding and header are known, ready to be read into ``stg``.

    ``columns`` are the export's columns as DuckDB names them (a repeated heading gets a suffix);
    while ``stg`` is read, column i is ``raw_column(i)``, and a row's kept cells ``_raw`` list them
    in that order. View ``stg_rows`` adds ``_row``, the row number a spreadsheet shows (from ``rowid``, which DuckDB
    keeps when other rows are deleted, plus the rows above the first record, the lines set
    aside before it and the blank lines before it, which DuckDB skips unseen: ``blank_rows``).
    """

    path: Path
    spec: SourceSpec
    encoding: str
    columns: list[str]
    from_sql: str  # the table function (or registered Arrow table) the rows come from
    rows_again_sql: str  # the same rows, read again without recording rejected lines
    delimiter: str  # "" for workbooks
    first_row: int
    header_line: int
    csv_path: Path | None = None
    # Newline bytes in csv_path: with the records read, whether any blank line hides among them.
    # Asked for only once the records are read, so the count can run beside the read.
    newlines: Callable[[], int] = lambda: 0
    blank_rows: list[int] = field(default_factory=list)  # spreadsheet rows of blank lines below the header
    rows_read: int = 0  # records and lines that do not fit the header: loaded + set aside + skipped
    skipped: dict[str, int] = field(default_factory=dict)
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (row, raw line, reason)


def raw_column(index: int) -> str:
    return f"_c{index}"


@dataclass
class _Header:
    line_index: int
    delimiter: str
    headings: list[str]


def open_export(
    path: Path, con: duckdb.DuckDBPyConnection, registry: Registry, workdir: Path,
    forced: SourceSpec | None, newlines: Callable[[], int],
) -> Export:
    """Recognise ``path`` and prepare its reading (transcoding it into ``workdir`` if needed).
    ``newlines`` says how many newline bytes ``path`` holds (counted as it is hashed, perhaps
    while it is read).

    Raises:
        InputFileError: missing, empty, binary, undecodable, or a header no source knows.
    """
    if not path.is_file():
        raise InputFileError("file not found", file=path)
    if path.stat().st_size == 0:
        raise InputFileError("the file is empty (0 bytes)", file=path, hint="export it again")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _open_excel(path, con, registry, forced)
    return _open_text(path, con, registry, workdir, forced, newlines)


def read_into_stg(con: duckdb.DuckDBPyConnection, export: Export, typing: Typing, suspect: str | None) -> None:
    """Create ``stg`` in one pass over the file: the typed fields, two hashes of the line (which
    find repeated lines and the line again in the file), why the row is not data if it is not,
    and the cells as text of the rows for which ``suspect`` (SQL over the typed fields) holds.
    Then the view ``stg_rows`` over it, with row numbers and what ``typing`` derives there.

    Then set apart what is not data: lines that do not fit the header (footers are skipped, other
    lines quarantined, a cut-off last line fails the file), blank rows and summary rows.
    """
    raw = [raw_column(i) for i in range(len(export.columns))]
    line = ", ".join(raw)
    typed = ", ".join([*raw, *_line_hashes(raw), f"{_not_data_sql(export, raw)} AS _skip", *filter(None, [typing.typed])])
    rows = f"SELECT {typed} FROM (SELECT {_named(export)}, {typing.cleaned} FROM {export.from_sql})"
    if typing.texts:
        rows = f"SELECT * EXCLUDE ({typing.texts}), {typing.unparsed} FROM ({rows})"
    cells = f"CASE WHEN {suspect} THEN [{line}] END" if suspect else "NULL::VARCHAR[]"
    kept = ", ".join(filter(None, [typing.kept_unparsed, f"{cells} AS _raw"]))
    try:
        con.execute(f"CREATE TABLE stg AS SELECT * EXCLUDE ({', '.join([*raw, *typing.unparsed_columns])}), {kept} FROM ({rows})")
    except duckdb.InvalidInputException as exc:
        raise _explain_csv_error(export.path, exc) from None
    if export.csv_path is not None:
        records = con.execute("SELECT count(*) FROM stg").fetchone()[0]
        rejected = con.execute("SELECT count(DISTINCT line) FROM raw_rejects").fetchone()[0]
        export.blank_rows = _blank_rows(export, records, rejected)
        export.rows_read = records + rejected
        _sort_rejects(con, export, records)
    else:
        export.rows_read = con.execute("SELECT count(*) FROM stg").fetchone()[0]
    derived = f", {typing.derived}" if typing.derived else ""
    row = _row_number_sql(con, export)
    kept = " EXCLUDE (_row)" if row == "_row" else ""
    con.execute(f"CREATE VIEW stg_rows AS SELECT {row} AS _row, *{kept}{derived} FROM stg")
    _drop_skippable(con, export)


def read_cells_again(con: duckdb.DuckDBPyConnection, export: Export, wanted: str) -> None:
    """Table ``cells_again``: the cells of the lines whose hashes are in table ``wanted``, read
    from the export again (for rows that failed a check ``suspect`` did not foresee). Not an
    UPDATE of ``stg``: DuckDB updates a list column by deleting and appending the row, which
    would change its ``rowid`` and so its row number."""
    raw = [raw_column(i) for i in range(len(export.columns))]
    first, second = _line_hashes(raw)
    con.execute(
        f"""CREATE TEMP TABLE cells_again AS
            SELECT DISTINCT ON (_line_hash, _line_hash2) * FROM (
                SELECT {first}, {second}, [{', '.join(raw)}] AS cells
                FROM (SELECT {_named(export)} FROM {export.rows_again_sql}))
            WHERE (_line_hash, _line_hash2) IN (SELECT (_line_hash, _line_hash2) FROM {wanted})"""
    )


def _named(export: Export) -> str:
    return ", ".join(f"{quote_ident(c)} AS {raw_column(i)}" for i, c in enumerate(export.columns))


def _line_hashes(raw: list[str]) -> tuple[str, str]:
    return f"hash({', '.join(raw)}) AS _line_hash", f"hash('okrfunnel', {', '.join(reversed(raw))}) AS _line_hash2"


def _not_data_sql(export: Export, raw: list[str]) -> str:
    """Why a row is not data: blank, a summary row (``Total: ...``), a footer line; else NULL."""
    def blank(columns):
        return " AND ".join(f"nullif(trim({c}), '') IS NULL" for c in columns) or "true"

    def first_matches(patterns):
        return " OR ".join(f"regexp_matches(trim(coalesce({raw[0]}, '')), {sql_literal(p)})" for p in patterns)

    cases = [f"WHEN {blank(raw)} THEN 'blank row'"]
    if export.spec.summary_rows:
        cases.append(f"WHEN {first_matches(export.spec.summary_rows)} THEN 'summary row'")
    if export.spec.footer_lines:
        cases.append(f"WHEN ({first_matches(export.spec.footer_lines)}) AND {blank(raw[1:])} THEN 'footer line'")
    return f"CASE {' '.join(cases)} END"


def _row_number_sql(con, export: Export) -> str:
    """``rowid`` counts the records read; a line DuckDB set aside (quarantined or footer) or
    skipped (blank) still takes a spreadsheet row. With the j-th such row (0-based) at R_j,
    record k sits at first_row + k + #{j : R_j - first_row - j <= k}.

    A few such rows are counted in the view, for each row read there; beyond that (a blank line
    after every record, say: 24,000 rows took 21 s), the row numbers are worked out once, by an
    ASOF join, and kept in ``stg`` as ``_row``.
    """
    if export.csv_path is None:
        return f"rowid + {export.first_row}"
    rejected = {int(line) for (line,) in con.execute("SELECT DISTINCT line FROM raw_rejects").fetchall()}
    lines = sorted(rejected | set(export.blank_rows))
    if not lines:
        return f"rowid + {export.first_row}"
    thresholds = [row - export.first_row - j for j, row in enumerate(lines)]
    if len(thresholds) <= _FEW_GAPS:
        return f"rowid + {export.first_row} + len(list_filter({thresholds}, lambda t: t <= rowid))"
    con.execute("CREATE TEMP TABLE row_gaps AS SELECT t, count(*) OVER (ORDER BY t) AS before FROM unnest(?::BIGINT[]) AS g(t)",
                [thresholds])
    con.execute(
        f"""CREATE OR REPLACE TABLE stg AS
            SELECT s.*, s.rowid + {export.first_row} + coalesce(g.before, 0) AS _row
            FROM stg AS s ASOF LEFT JOIN row_gaps AS g ON s.rowid >= g.t ORDER BY s.rowid"""
    )
    con.execute("DROP TABLE row_gaps")
    return "_row"


# --- text exports -----------------------------------------------------------------------------


def _open_text(path, con, registry, workdir, forced, newlines: Callable[[], int]) -> Export:
    head = _read_head(path)
    encoding = _detect_encoding(path, head, forced.encoding if forced else "auto")
    lines = _decode_head(head, encoding).splitlines()[:_HEAD_LINES]
    header, spec = _find_header(path, _text_candidates(lines, forced), registry, forced)
    csv_path = path
    if encoding != "utf-8":
        csv_path = workdir / "transcoded.csv"
        counted = _transcode(path, encoding, csv_path)

        def newlines() -> int:
            return counted

    def rows(errors: str) -> str:
        return f"""read_csv({sql_literal(str(csv_path))}, header = true, skip = {header.line_index},
            delim = {sql_literal(header.delimiter)}, quote = '"', escape = '"', all_varchar = true,
            {errors}, sample_size = -1)"""

    from_sql = rows("store_rejects = true, rejects_table = 'raw_rejects', rejects_scan = 'raw_reject_scans'")
    try:
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {from_sql}").fetchall()]
    except duckdb.InvalidInputException as exc:
        raise _explain_csv_error(path, exc, head) from None
    return Export(path, spec, encoding, columns, from_sql, rows("ignore_errors = true"), header.delimiter,
                  header.line_index + 2, header.line_index, csv_path, newlines)


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_HEAD_BYTES)


def _detect_encoding(path: Path, head: bytes, declared: str) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if declared not in ("auto", "utf-8"):
        return declared
    if _looks_binary(head):
        raise InputFileError(
            "this is not a text export (it contains binary data)", file=path,
            expected="a CSV/TSV export or an Excel workbook",
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < _HEAD_BYTES)
        if declared == "auto" and head.isascii() and len(head) == _HEAD_BYTES:
            # An English header and ASCII rows say nothing yet: let the first non-ASCII line decide.
            sample = _first_non_ascii_line(path)
            if sample is not None and not _is_utf8(sample) and _decodes(sample, "gb18030"):
                return "gb18030"
        return "utf-8"
    except UnicodeDecodeError as exc:
        if declared == "utf-8":
            raise _encoding_error(path, head, exc, "utf-8") from None
        bad_line = head[: exc.start].count(b"\n") + 1
        if any(not line.isascii() and _is_utf8(line) for line in head.split(b"\n")[: bad_line - 1]):
            raise InputFileError(
                f"mixed encodings: line {bad_line} is not UTF-8 while the lines before it are",
                file=path, row=bad_line, hint="save the export again in one encoding (UTF-8 preferred)",
            ) from None
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, head, exc, "UTF-8 or GB18030") from None
    return "gb18030"


def _looks_binary(head: bytes) -> bool:
    """NUL bytes, or many control characters: no text export looks like that."""
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head[:8192] if b < 32 and b not in (9, 10, 13))
    return controls > len(head[:8192]) * 0.05


def _encoding_error(path: Path, data: bytes, exc: UnicodeDecodeError, expected: str) -> InputFileError:
    line = data[: exc.start].count(b"\n") + 1
    return InputFileError(
        f"cannot decode byte 0x{data[exc.start]:02x} on line {line}", file=path, row=line,
        expected=f"text in {expected}", hint="save the export again as UTF-8 CSV",
    )


def _decode_head(head: bytes, encoding: str) -> str:
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(head, final=False)


def _transcode(path: Path, encoding: str, target: Path) -> int:
    """Decode to UTF-8 line by line, so that an error names its line; refuse mixed encodings.
    Returns how many lines end in a newline."""
    newlines = 0
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        if encoding == "utf-16":
            for text in io.TextIOWrapper(src, encoding="utf-16", newline=""):
                dst.write(text)
                newlines += text.endswith("\n")
            return newlines
        for number, line in enumerate(src, 1):
            try:
                text = line.decode(encoding)
            except UnicodeDecodeError:
                raise InputFileError(
                    f"line {number} is not valid {encoding.upper()}", file=path, row=number,
                    hint="save the export again in one encoding (UTF-8 preferred)",
                ) from None
            # Only reached for files whose start is not UTF-8, so a UTF-8 line means two encodings.
            if not line.isascii() and _is_utf8(line):
                raise InputFileError(
                    f"mixed encodings: line {number} is UTF-8 while others are {encoding.upper()}",
                    file=path, row=number, hint="save the export again in one encoding (UTF-8 preferred)",
                )
            dst.write(text)
            newlines += line.endswith(b"\n")
    return newlines


def _first_non_ascii_line(path: Path) -> bytes | None:
    """The first line holding a byte above 0x7F, read in blocks (the whole file if it is ASCII)."""
    carry = b""
    with path.open("rb") as fh:
        while block := fh.read(_SCAN_BLOCK):
            block = carry + block
            found = _NON_ASCII.search(block)
            if found:
                start = block.rfind(b"\n", 0, found.start()) + 1
                end = block.find(b"\n", found.start())
                return block[start:] if end < 0 else block[start:end]
            carry = block[block.rfind(b"\n") + 1:]
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _find_header(path: Path, candidates: Iterable[_Header], registry: Registry, forced: SourceSpec | None):
    """The first candidate header row that some source (or the forced one) recognises."""
    pool = Registry([forced]) if forced is not None else registry
    seen: list[_Header] = []
    for header in candidates:
        if len(header.headings) < 2:
            continue
        seen.append(header)
        spec = pool.recognise(header.headings)
        if spec is not None:
            return header, spec
    raise _unknown_header(path, seen, pool, forced)


def _text_candidates(lines: list[str], forced: SourceSpec | None) -> Iterator[_Header]:
    """Each of the first lines split by each delimiter it contains, most frequent first."""
    for index, line in enumerate(lines):
        if line.strip():
            for delim in _delimiters(line, forced):
                yield _Header(index, delim, [h.strip() for h in next(csv.reader([line], delimiter=delim))])


def _delimiters(line: str, forced: SourceSpec | None) -> tuple[str, ...]:
    if forced is not None and forced.delimiter != "auto":
        return (forced.delimiter.encode().decode("unicode_escape"),)
    present = [d for d in _DELIMITERS if d in line]
    return tuple(sorted(present, key=line.count, reverse=True)) or (",",)


def _unknown_header(path, candidates: list[_Header], pool: Registry, forced) -> InputFileError:
    if not candidates:
        return InputFileError(
            "no header row found in the first lines", file=path,
            expected="a CSV/TSV export with a row of column headings",
        )
    header = max(candidates, key=lambda h: len(h.headings))
    described = "; ".join(
        f"{m.spec.name} (missing {', '.join(repr(c) for c in m.missing)})" for m in pool.rank(header.headings)[:3]
    )
    what = f"the header does not fit source {forced.name}" if forced else "no source knows this header"
    return InputFileError(
        f"{what}; closest: {described}", file=path, row=header.line_index + 1,
        hint="force one with --source NAME, or add a source file (docs/sources.md)",
    )


def _explain_csv_error(path: Path, exc: Exception, head: bytes = b"") -> InputFileError:
    text = str(exc)
    line = re.search(r"Line: (\d+)", text)
    row = int(line.group(1)) if line else None
    if "unicode" in text.lower():
        return InputFileError(
            "mixed encodings: this line is not UTF-8 while the lines before it are", file=path,
            row=row, hint="save the export again in one encoding (UTF-8 preferred)",
        )
    if "sniffing" in text:
        # DuckDB finds no one way to split the file into rows: seen with line ends of two kinds
        # (a file pieced together from two tools) and with a quote that is never closed.
        mixed = b"\r\n" in head and re.search(rb"[^\r]\n", head) is not None
        return InputFileError(
            "cannot split the file into rows: " + (
                "its lines end in two ways (\\r\\n and \\n)" if mixed
                else "it may hold a quote (\") that is never closed, or lines that end in two ways"
            ),
            file=path, hint="open it in a spreadsheet and save it again as CSV",
        )
    return InputFileError(f"cannot parse as CSV: {text.splitlines()[0]}", file=path, row=row)


def _ends_mid_row(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 2, 0))
        return not fh.read().endswith((b"\n", b"\r"))


def _blank_rows(export: Export, records: int, rejected: int) -> list[int]:
    """The spreadsheet rows of the blank lines below the header, which DuckDB skips without a
    trace while a spreadsheet shows each as an empty row (every row below one would otherwise be
    numbered one too low).

    When each record and each rejected line is one line, with no blank line among them, the
    file's newlines are the lines above the header, the header, the records and the rejected
    lines, less one if the last line has none: then there is nothing to find. Otherwise a cell
    holds a line break or a blank line sits somewhere; only when two line ends follow each other
    before the file's last record does Python's csv module read it again to number its rows
    (about 1.5 s per million rows; the search for the line ends, 0.3 s). A file without any
    newline byte (old Mac line ends) always takes that way.
    """
    lines = export.header_line + 1 + records + rejected
    path = export.csv_path
    newlines = export.newlines()
    if newlines == lines - _ends_mid_row(path) or (newlines and not _holds_blank_line(path)):
        return []
    # A cell may be longer than the csv module's default limit (128 KB); undecodable bytes are
    # _sort_rejects' to report, by line.
    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size))
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = csv.reader(fh, delimiter=export.delimiter, quotechar='"', doublequote=True)
        return [number for number, row in enumerate(rows, 1) if not row and number > export.header_line + 1]


def _holds_blank_line(path: Path) -> bool:
    """Whether two line ends follow each other anywhere but at the end of the file (blank lines
    after the last record move no row)."""
    carry = b""
    with path.open("rb") as fh:
        block = fh.read(_SCAN_BLOCK)
        while block:
            following = fh.read(_SCAN_BLOCK)
            text = carry + (block if following else block.rstrip(b"\r\n"))
            if b"\n\n" in text or b"\n\r\n" in text:
                return True
            carry, block = text[-2:], following
    return False


def _sort_rejects(con, export: Export, records: int) -> None:
    """Lines DuckDB could not split into the header's fields: footers and lines of spaces are skipped,
    the rest quarantined."""
    rejects = con.execute(
        """SELECT line, any_value(csv_line), any_value(error_message), bool_or(error_type IN ('INVALID UNICODE', 'INVALID ENCODING'))
           FROM raw_rejects GROUP BY line ORDER BY line"""
    ).fetchall()
    for line, _, _, bad_unicode in rejects:
        if bad_unicode:
            raise InputFileError(
                "mixed encodings: this line is not UTF-8 while the lines before it are", file=export.path,
                row=int(line), hint="save the export again in one encoding (UTF-8 preferred)",
            )
    footer = [re.compile(p) for p in export.spec.footer_lines]

    def is_footer(csv_line: str) -> bool:
        return any(p.search(csv_line.strip().strip('"')) for p in footer)

    def skipped_as(csv_line: str) -> str | None:
        # Spaces alone: a person sees a blank row, as for a line of empty fields.
        return "blank row" if not csv_line.strip() else "footer line" if is_footer(csv_line) else None

    # DuckDB numbers rejected lines from the top of the file, title lines included.
    last_line = export.header_line + 1 + records + len(rejects) + len(export.blank_rows)
    if rejects and rejects[-1][0] >= last_line and not skipped_as(rejects[-1][1]) and _ends_mid_row(export.csv_path):
        raise InputFileError(
            "the file ends in the middle of a row: it looks truncated, so none of it is loaded",
            file=export.path, row=int(rejects[-1][0]), hint="export or download it again",
        )
    for line, csv_line, message, _ in rejects:
        if why := skipped_as(csv_line):
            export.skipped[why] = export.skipped.get(why, 0) + 1
            continue
        reason = f"line does not fit the header's {len(export.columns)} columns ({message})"
        export.malformed.append((int(line), csv_line.strip(), reason))


def _drop_skippable(con, export: Export) -> None:
    """Summary rows, blank rows and footers are not data: counted as skipped, not loaded."""
    for why, n in con.execute("SELECT _skip, count(*) FROM stg WHERE _skip IS NOT NULL GROUP BY 1").fetchall():
        export.skipped[why] = export.skipped.get(why, 0) + n
    if export.skipped:
        con.execute("DELETE FROM stg WHERE _skip IS NOT NULL")


# --- Excel workbooks --------------------------------------------------------------------------


def _open_excel(path: Path, con, registry: Registry, forced: SourceSpec | None) -> Export:
    import fastexcel

    try:
        book = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own hierarchy for every unreadable workbook
        raise InputFileError(f"cannot open as a workbook: {exc}", file=path) from None
    sheet = forced.sheet if forced else 0
    try:
        head = book.load_sheet(sheet, header_row=None, n_rows=_HEAD_LINES, dtypes="string").to_arrow()
    except Exception as exc:
        raise InputFileError(f"cannot read sheet {sheet!r}: {exc}", file=path) from None
    rows = (
        _Header(index, "", ["" if v is None else str(v).strip() for v in row.values()])
        for index, row in enumerate(head.to_pylist())
    )
    header, spec = _find_header(path, rows, registry, forced)
    header_row = _sheet_row_of(book, sheet, header)
    table = book.load_sheet(sheet, header_row=header_row, dtypes="string").to_arrow()
    con.register("excel_rows", table)
    return Export(path, spec, "xlsx", [str(c) for c in table.column_names], "excel_rows", "excel_rows", "",
                  header_row + 2, header_row)


def _sheet_row_of(book, sheet, header: _Header) -> int:
    """The sheet row (0-based) holding ``header``. Rows read without a header start at the first
    row that is not blank, while ``header_row`` counts from the top of the sheet: with blank rows
    above, ``header.line_index`` would name a row above the header (a title, say). A
    ``header_row`` above the first row that is not blank reads that row, so the header is the
    last of the rows that read as it."""
    found = None
    for row in range(header.line_index, header.line_index + _HEAD_LINES):
        columns = book.load_sheet(sheet, header_row=row, n_rows=1, dtypes="string").available_columns()
        if len(columns) == len(header.headings) and columns[0].name.strip() == header.headings[0]:
            found = row
        elif found is not None:
            break
    return header.line_index if found is None else found
