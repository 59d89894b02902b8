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
        """SELECT run_id, file_name, source, fact, status, rows_read, rows_loaded, rows_set_aside,
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


def freshness(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per source: the newest day its data reaches, when it was last exported and loaded, and
    what the last load set aside."""
    return _records(
        con,
        """SELECT source, max(date_to) AS data_to, max(export_date) AS last_export,
                  max(finished_at) AS last_loaded, count(*) AS runs,
                  arg_max(rows_set_aside, run_id) AS set_aside_last_run
           FROM ingest_run GROUP BY source ORDER BY data_to DESC NULLS LAST, source""",
    )


def currencies(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every currency the cost and revenue data holds."""
    return [r[0] for r in con.execute(
        """SELECT DISTINCT currency FROM (
               SELECT currency FROM channel_daily UNION ALL
               SELECT currency FROM funnel_fact WHERE stage = 'won' AND amount IS NOT NULL)
           WHERE currency IS NOT NULL ORDER BY 1""").fetchall()]
