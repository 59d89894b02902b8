"""Great Expectations on DuckDB: the cure for GX #10738/#11579 keeps working, and every failing
row is found (not GX's sample of 20)."""

from __future__ import annotations

import duckdb

from pipelines.validation import Check, run_suite


def _stage(path, rows: int = 5000) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"""CREATE TABLE stg AS SELECT i AS _row,
                   CASE WHEN i % 100 = 0 THEN NULL ELSE i END AS lead_id,
                   CASE WHEN i % 77 = 0 THEN -1.5 ELSE 2.0 END AS spend,
                   CASE WHEN i % 50 = 0 THEN 'QQQ' ELSE 'CNY' END AS currency
                FROM range(1, {rows + 1}) t(i)"""
        )


def test_results_equal_native_sql_counts(tmp_path):
    """5000 rows: multiples of 100 lack an id (50), of 77 are negative (64), of 50 have currency
    QQQ (100); the custom SQL check flags multiples of 333 (15; none of them lacks an id)."""
    stage = tmp_path / "stage.duckdb"
    _stage(stage)
    checks = [
        Check("expect_column_values_to_not_be_null", {"column": "lead_id"}, "lead_id", "required"),
        Check("expect_column_values_to_be_between", {"column": "spend", "min_value": 0}, "spend", "negative"),
        Check("expect_column_values_to_be_in_set", {"column": "currency", "value_set": ["CNY", "USD"]}, "currency", "currency"),
        Check("unexpected_rows_expectation", {"unexpected_rows_query": "SELECT _row FROM {batch} WHERE lead_id % 333 = 0", "description": "custom"}, "lead_id", "custom"),
    ]
    results = run_suite(stage, "stg", "gx_regression", checks)
    assert [(r.success, r.unexpected_count) for r in results] == [(False, 50), (False, 64), (False, 100), (False, 15)]
    with duckdb.connect(str(stage)) as con:
        for result, expected in zip(results, (50, 64, 100, 15)):
            failing = con.execute(f"SELECT count(*) FROM ({result.failing_rows_sql})").fetchone()[0]
            assert failing == expected
        rows = {r for (r,) in con.execute(f"SELECT _row FROM ({results[1].failing_rows_sql})").fetchall()}
    assert rows == set(range(77, 5001, 77))


def test_the_staging_file_is_released_after_validation(tmp_path):
    stage = tmp_path / "stage.duckdb"
    _stage(stage, rows=10)
    run_suite(stage, "stg", "release", [Check("expect_column_values_to_not_be_null", {"column": "_row"}, "_row", "x")])
    with duckdb.connect(str(stage), config={"threads": 1}) as con:  # a different configuration
        assert con.execute("SELECT count(*) FROM stg").fetchone() == (10,)
