"""What the warehouse knows about its own loads: runs, validation results, set-aside rows."""

from __future__ import annotations

import duckdb


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def runs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return _records(
        con,
        """SELECT run_id, file_name, source, status, rows_read, rows_loaded, rows_set_aside,
                  rows_skipped, date_from, date_to, export_date, finished_at, file_sha256, file_path
           FROM ingest_run ORDER BY run_id""",
    )


def validations(con: duckdb.DuckDBPyConnection, run_id: int) -> list[dict]:
    return _records(
        con,
        """SELECT run_id, check_index, expectation, column_name AS column, reason, success,
                  element_count, unexpected_count
           FROM validation_result WHERE run_id = ? ORDER BY check_index""",
        [run_id],
    )


def quarantine(con: duckdb.DuckDBPyConnection, run_id: int | None) -> list[dict]:
    return _records(
        con,
        """SELECT run_id, file_name AS file, row_number AS row, column_name AS column,
                  raw_value AS value, reason, check_name AS "check", raw_row
           FROM quarantine WHERE ? IS NULL OR run_id = ?
           ORDER BY run_id, row_number, check_name""",
        [run_id, run_id],
    )
