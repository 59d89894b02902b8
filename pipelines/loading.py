"""Ingest: read, stage, validate and load each export, one transaction per file.

Per file: hash it (a known file is skipped; one of a size never loaded is read while it is hashed,
and must not change meanwhile), read and type it into an in-memory staging database,
run the source's Great Expectations suite there, work out every failing row, then in one warehouse
transaction record the run, its validation results and its set-aside rows, and merge the good
rows into the facts with the replacement rules of docs/loading.md. Any error rolls that file back;
the other files still load.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines import merge
from pipelines.errors import InputFileError, OkrfunnelError
from pipelines.facts import FACTS, STAGE_FIELDS
from pipelines.reading import (
    EXCEL_SUFFIXES,
    Export,
    open_export,
    read_cells_again,
    read_into_stg,
)
from pipelines.registry import Registry
from pipelines.sqltext import sql_literal
from pipelines.staging import Staged, finish, typed_select
from pipelines.validation import (
    CheckResult,
    contract_checks,
    declared_checks,
    prepare_in_background,
    run_suite,
    sets_aside_repeats,
    suspect_rows_sql,
    unique_column,
)
from pipelines.warehouse import Writer, configure

INPUT_SUFFIXES = {".csv", ".tsv", ".txt", *EXCEL_SUFFIXES}
# Fault injection for the crash test: pause inside the transaction, before COMMIT, and say so by
# creating this file, so a test can kill -9 the process at exactly that point.
_PAUSE_BEFORE_COMMIT = "OKRFUNNEL_FAULT_PAUSE_BEFORE_COMMIT"
_STAGE = "okrfunnel_stage"


@dataclass
class FileOutcome:
    path: Path
    status: str  # loaded | loaded_with_rows_set_aside | skipped | failed
    source: str | None = None
    run_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_set_aside: int = 0
    rows_skipped: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    error: OkrfunnelError | None = None

    def as_record(self) -> dict:
        return {
            "file": str(self.path), "status": self.status, "source": self.source,
            "run_id": self.run_id, "rows_read": self.rows_read, "rows_loaded": self.rows_loaded,
            "rows_set_aside": self.rows_set_aside, "rows_skipped": self.rows_skipped,
            "message": self.message,
        }


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as their export files (sorted, recursive); order is kept."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES))
        else:
            out.append(path)
    return out


def sha256_and_newlines(path: Path) -> tuple[str, int, tuple[int, int, int]]:
    """The file's SHA-256 and how many newline bytes it holds, in one pass of large blocks (the
    count tells ``reading`` whether blank lines may sit among the records: see
    ``Export.newlines``), and its ``_signature`` as it was opened. Large blocks because the GX
    import may be running in another thread, and this thread waits for the GIL after every
    block (4 MB blocks made hashing 800 MB take 1.4 s instead of 0.6 s; 64 MB blocks, 0.9 s).
    Counting adds 0.3 CPU s per 800 MB, with the GIL held.

    Raises:
        InputFileError: not a regular file (a FIFO would block the hashing thread, a device
            never end, and every file after it would wait).
    """
    if not path.is_file():
        raise InputFileError("file not found", file=path)
    digest = hashlib.sha256()
    newlines = 0
    # No larger than the file: a bytearray is zero-filled, and 64 MB took 42 ms per small export.
    block = bytearray(max(1, min(64 * 1024 * 1024, path.stat().st_size)))
    view = memoryview(block)
    with path.open("rb", buffering=0) as fh:
        signature = _signature(os.fstat(fh.fileno()))
        while size := fh.readinto(block):
            digest.update(view[:size])
            newlines += block.count(b"\n", 0, size)
    return digest.hexdigest(), newlines, signature


def _signature(stat: os.stat_result) -> tuple[int, int, int]:
    """Size, modification time and inode: a file whose signature moved between its hash and its
    load is not the file that was hashed."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def ingest_file(
    w: Writer, path: Path, registry: Registry, *, source: str | None = None,
    export_date: date | None = None, strict: bool = False,
    on_step: Callable[[str], None] = lambda step: None, hashed: Future | None = None,
) -> FileOutcome:
    """Load one export into the writer's warehouse; never raises for a bad file. ``hashed``:
    its ``hash_in_background``, if started already."""
    try:
        return _ingest(w, path, registry, source, export_date, strict, on_step, hashed)
    except OkrfunnelError as exc:
        if exc.file is None:  # a failure of the warehouse's side of the load (merge) is this file's
            exc = replace(exc, file=path)
        return FileOutcome(path, "failed", message=exc.one_line(), error=exc)
    except OSError as exc:
        # Name the file the system could not open when it is not the export (a scratch copy on
        # a full disk, say), or the message blames an export that is fine.
        other = f" {exc.filename}" if exc.filename and Path(exc.filename) != path else " the file"
        err = InputFileError(f"cannot read or write{other}: {exc.strerror or exc}", file=path)
        return FileOutcome(path, "failed", message=err.one_line(), error=err)


def hash_in_background(paths: list[Path]) -> list[Future[tuple[str, int, tuple[int, int, int]]]]:
    """``sha256_and_newlines`` of each file, worked out one after the other in a thread. Started
    with a command, the first one's runs on the core the command's start (Python, one core)
    leaves idle, instead of beside DuckDB's read, which takes both."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="okrfunnel-hash")
    try:
        return [pool.submit(sha256_and_newlines, path) for path in paths]
    finally:
        pool.shutdown(wait=False)


def _ingest(w, path, registry, source, export_date, strict, on_step, hashed) -> FileOutcome:
    started = datetime.now()
    if not path.is_file():
        raise InputFileError("file not found", file=path)
    on_step("hashing")
    hashed = hashed or hash_in_background([path])[0]
    if w.con.execute("SELECT count(*) FROM ingest_run WHERE file_bytes = ?", [path.stat().st_size]).fetchone()[0]:
        # A file of this size was loaded before: this may be it, and then nothing is read.
        known = w.con.execute(
            "SELECT run_id, finished_at FROM ingest_run WHERE file_sha256 = ? ORDER BY run_id LIMIT 1", [hashed.result()[0]]
        ).fetchone()
        if known:
            return FileOutcome(
                path, "skipped", run_id=known[0],
                message=f"{path}: already loaded (same content as run {known[0]} on {known[1]:%Y-%m-%d %H:%M}); nothing changed",
            )
    else:
        # No file of this size was loaded, so this one is new, and its hash is wanted only to
        # record the run: hashing (one core, mostly outside the GIL) and the GX import (seconds
        # of Python) go on beside DuckDB's read instead of before it, when a core stood idle.
        prepare_in_background()
    export_date = export_date or date.fromtimestamp(path.stat().st_mtime)
    forced = registry.get(source) if source else None
    with w.scratch() as workdir, _staging(w) as con:
        on_step("reading")
        export = open_export(path, con, registry, workdir, forced, lambda: hashed.result()[1])
        prepare_in_background()  # if not started yet: a file already loaded never needs GX
        typing = typed_select(con, export.spec, export.columns, w.salt, w.pii_hash)
        present = set(typing.headings) | set(export.spec.constants)
        if export.spec.fact == "funnel" and not present & set(STAGE_FIELDS):
            raise InputFileError(
                f"no stage date column: source {export.spec.name} reads them from "
                + "; ".join(f"{f}: {', '.join(export.spec.columns[f].headings)}" for f in STAGE_FIELDS if f in export.spec.columns),
                file=path, row=export.header_line + 1, hint="export the lifecycle stage dates too",
            )
        checks = contract_checks(export.spec, present, export_date) + declared_checks(export.spec)
        read_into_stg(con, export, typing, suspect_rows_sql(checks))
        if con.execute("SELECT count(*) FROM stg").fetchone()[0] == 0 and not export.malformed:
            raise InputFileError(
                f"the export has a header but no data rows (source {export.spec.name})", file=path,
                hint="check the date range or filters of the export",
            )
        on_step("validating")
        results = run_suite(con, "stg_rows", export.spec.name, checks, export.spec.path)
        staged = finish(con, export, typing.headings, unique_column(results))
        if staged.duplicates:
            # The checks counted the repeats too: they must judge the rows that remain.
            results = run_suite(con, "stg_rows", export.spec.name, checks, export.spec.path)
        _collect_failures(con, export, staged, results)
        digest, _, signature = hashed.result()
        # It is hashed at the command's start or while it is read: a copy over it meanwhile would
        # be recorded under the other content's hash, and skipped as known when loaded later.
        if _signature(path.stat()) != signature:
            raise InputFileError(
                "the file changed while it was being loaded; nothing of it was loaded", file=path,
                hint="load it again once the program that writes it has finished",
            )
        on_step("loading")
        return _load(w, path, digest, export, staged, results, export_date, started, strict)


@contextmanager
def _staging(w: Writer) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose default database is an in-memory staging database beside the
    warehouse copy, in the writer's own DuckDB instance.

    In memory, because writing every cell of a large export to a staging file cost as long as
    reading it (DuckDB spills to its temporary folder past the memory limit instead); in the
    writer's instance, so Great Expectations (through cursors) and the loader read it where it
    is, without a file to close and attach again. It goes with the writer's process, so a killed
    load leaves nothing behind in the warehouse.
    """
    w.con.execute(f"ATTACH ':memory:' AS {_STAGE}")
    con = w.con.cursor()
    try:
        configure(con)
        con.execute(f"USE {_STAGE}")
        yield con
    finally:
        con.close()
        w.con.execute(f"DETACH {_STAGE}")


def personal_columns(export: Export) -> set[str]:
    """Columns never kept in clear: those mapped to email or phone and those the source lists
    under ``pii`` (for every heading, also its repeats, which DuckDB names ``heading_1`` ...)."""
    fields = FACTS[export.spec.fact]
    headings = [h for f, m in export.spec.columns.items() if fields[f].type == "pii" for h in m.headings]
    wanted = {h.strip().lower() for h in (*headings, *export.spec.pii)}
    return {c for c in export.columns if c.strip().lower() in wanted or re.sub(r"_\d+$", "", c).strip().lower() in wanted}


def _mask_line(line: str, export: Export, personal: set[str]) -> str:
    """A line that does not fit the header, with the fields in personal columns' places masked;
    withheld whole when it does not split into as many fields as the header has, since a field
    too many or too few moves an address out of its column's place."""
    if not personal:
        return line
    try:
        fields = next(csv.reader([line], delimiter=export.delimiter or ","))
    except (csv.Error, StopIteration):
        fields = []
    if len(fields) != len(export.columns):
        return f"(withheld: the export has personal columns and this line has {len(fields)} fields, not {len(export.columns)})"
    masked = ["***" if i < len(export.columns) and export.columns[i] in personal else f for i, f in enumerate(fields)]
    return ",".join(masked)


def _collect_failures(con, export: Export, staged: Staged, results: list[CheckResult]) -> None:
    """Table ``set_aside`` in the staging database: every failing row, once per failed check.

    The failing rows of all checks are listed first and joined to the rows once: a join per
    check read every row of the export again for each check that failed.
    """
    pii = personal_columns(export)

    def cell(column: str) -> str:
        return sql_literal("***") if column in pii else f"r.cells[{export.columns.index(column) + 1}]"

    row_json = "json_object(" + ", ".join(f"{sql_literal(c)}, {cell(c)}" for c in export.columns) + ")::VARCHAR"
    con.execute(
        """CREATE TABLE set_aside (_row BIGINT, column_name VARCHAR, raw_value VARCHAR,
           reason VARCHAR, check_name VARCHAR, check_index INTEGER, raw_row VARCHAR)"""
    )
    failed = [(i, r.check) for i, r in enumerate(results) if r.failing_rows_sql is not None]
    if not failed:
        return
    con.execute("CREATE TEMP TABLE failing_row (_row BIGINT, check_index INTEGER, column_name VARCHAR, reason VARCHAR, check_name VARCHAR)")
    values = []
    for index, check in failed:
        heading = staged.headings.get(check.field) if check.field else None
        con.execute(
            f"INSERT INTO failing_row SELECT DISTINCT _row, ?, ?, ?, ? FROM ({results[index].failing_rows_sql})",
            [index, heading or check.field, check.reason, check.type],
        )
        values.append(f"WHEN {index} THEN {'NULL' if heading is None else cell(heading)}")
    con.execute(
        """CREATE TEMP TABLE cells_wanted AS SELECT DISTINCT _line_hash, _line_hash2
           FROM stg_rows SEMI JOIN failing_row USING (_row) WHERE _raw IS NULL"""
    )
    again = con.execute("SELECT count(*) FROM cells_wanted").fetchone()[0] > 0
    if again:
        read_cells_again(con, export, "cells_wanted")
    cells = "coalesce(s._raw, a.cells)" if again else "s._raw"
    con.execute(
        f"""INSERT INTO set_aside
            SELECT r._row, f.column_name, CASE f.check_index {' '.join(values)} END, f.reason, f.check_name,
                   f.check_index, {row_json}
            FROM failing_row AS f
            JOIN (SELECT _row, {cells} AS cells FROM stg_rows AS s
                  {'LEFT JOIN cells_again AS a USING (_line_hash, _line_hash2)' if again else ''}) AS r USING (_row)"""
    )
    for table in ("failing_row", "cells_wanted", *(["cells_again"] if again else [])):
        con.execute(f"DROP TABLE {table}")


def _load(w: Writer, path, digest, export: Export, staged: Staged, results, export_date, started, strict) -> FileOutcome:
    con = w.con
    spec = export.spec
    try:
        con.execute("BEGIN")
        set_aside_rows = con.execute(f"SELECT count(DISTINCT _row) FROM {_STAGE}.set_aside").fetchone()[0] + len(export.malformed)
        if strict and set_aside_rows:
            raise InputFileError(
                f"{set_aside_rows} rows would be set aside and --strict is on; nothing loaded", file=path,
                hint="see the reasons with `okrfunnel sources check FILE`",
            )
        skipped = dict(export.skipped)
        if staged.duplicates:
            skipped["identical duplicate line"] = staged.duplicates
        warnings = [
            f"{sum(v.values())} rows with unmapped {f} values sent to {spec.unmapped[f]!r}: "
            + ", ".join(f"{k!r} ({n})" for k, n in list(v.items())[:5])
            for f, v in staged.unmapped.items()
        ] + [
            f"check {r.check.type} ({r.check.reason}) failed for the file as a whole; see `okrfunnel validations`"
            for r in results if not r.success and r.failing_rows_sql is None
        ]
        run_id = con.execute(
            """INSERT INTO ingest_run (file_path, file_name, file_sha256, file_bytes, source, fact,
                   encoding, export_date, started_at, finished_at, status, rows_read, rows_loaded,
                   rows_set_aside, rows_skipped, skipped_detail, warnings)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), 'loading', ?, 0, ?, ?, ?, ?) RETURNING run_id""",
            [str(path.resolve()), path.name, digest, path.stat().st_size, spec.name, spec.fact,
             export.encoding, export_date, started, export.rows_read, set_aside_rows,
             sum(skipped.values()), json.dumps(skipped), json.dumps(warnings, ensure_ascii=False)],
        ).fetchone()[0]
        con.execute(
            f"""INSERT INTO quarantine SELECT ?, ?, _row, column_name, raw_value, reason, check_name, raw_row
               FROM {_STAGE}.set_aside ORDER BY _row, check_index""",
            [run_id, path.name],
        )
        if export.malformed:
            con.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, NULL, ?, ?, 'csv_parse', NULL)",
                [(run_id, path.name, row, _mask_line(line, export, personal_columns(export)), reason)
                 for row, line, reason in export.malformed],
            )
        con.executemany(
            "INSERT INTO validation_result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, i, r.check.type, staged.headings.get(r.check.field, r.check.field) if r.check.field else None,
              r.check.reason, r.success, r.element_count, r.unexpected_count, r.result_json)
             for i, r in enumerate(results)],
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW incoming AS SELECT * FROM {_STAGE}.stg_rows
                ANTI JOIN (SELECT DISTINCT _row FROM {_STAGE}.set_aside) USING (_row)"""
        )
        loaded, date_from, date_to = merge.merge(
            con, spec, staged.headings, run_id, export_date, ids_once=sets_aside_repeats(results, "lead_id"),
        )
        con.execute(
            """UPDATE ingest_run SET rows_loaded = ?, status = ?, finished_at = now(), date_from = ?, date_to = ?
               WHERE run_id = ?""",
            [loaded, "loaded_with_rows_set_aside" if set_aside_rows else "loaded", date_from, date_to, run_id],
        )
        _pause_for_crash_test()
        con.execute("COMMIT")
        w.changed = True
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.execute("DROP VIEW IF EXISTS incoming")
    status = "loaded_with_rows_set_aside" if set_aside_rows else "loaded"
    summary = f"{path}: {spec.name}: {loaded} rows loaded"
    if set_aside_rows:
        summary += f", {set_aside_rows} set aside (see `okrfunnel quarantine --run {run_id}`)"
    if skipped:
        summary += ", skipped " + ", ".join(f"{n} {why}" for why, n in skipped.items())
    return FileOutcome(
        path, status, spec.name, run_id, export.rows_read, loaded, set_aside_rows,
        sum(skipped.values()), summary, warnings,
    )


def _pause_for_crash_test() -> None:
    marker = os.environ.get(_PAUSE_BEFORE_COMMIT)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(120)
