"""Great Expectations on DuckDB: the cure for GX #10738/#11579 keeps working, and every failing
row is found (not GX's sample of 20)."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

import pytest

from pipelines.errors import SourceDefinitionError
from pipelines.validation import Check, run_suite


def _stage(con, rows: int = 5000) -> None:
    """``stg`` in an in-memory database attached beside ``con``'s own, as the loader stages."""
    con.execute("ATTACH ':memory:' AS stage")
    con.execute("USE stage")
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
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    _stage(con)
    checks = [
        Check("expect_column_values_to_not_be_null", {"column": "lead_id"}, "lead_id", "required"),
        Check("expect_column_values_to_be_between", {"column": "spend", "min_value": 0}, "spend", "negative"),
        Check("expect_column_values_to_be_in_set", {"column": "currency", "value_set": ["CNY", "USD"]}, "currency", "currency"),
        Check("unexpected_rows_expectation", {"unexpected_rows_query": "SELECT _row FROM {batch} WHERE lead_id % 333 = 0", "description": "custom"}, "lead_id", "custom"),
    ]
    results = run_suite(con, "stg", "gx_regression", checks)
    assert [(r.success, r.unexpected_count) for r in results] == [(False, 50), (False, 64), (False, 100), (False, 15)]
    for result, expected in zip(results, (50, 64, 100, 15)):
        failing = con.execute(f"SELECT count(*) FROM ({result.failing_rows_sql})").fetchone()[0]
        assert failing == expected
    rows = {r for (r,) in con.execute(f"SELECT _row FROM ({results[1].failing_rows_sql})").fetchall()}
    assert rows == set(range(77, 5001, 77))


def test_one_process_validates_the_files_of_a_source_one_after_another(tmp_path):
    """An ingest of a folder validates many exports of one source in one process: a validation
    leaves no GX datasource of its name behind, and its connection on the database it was on."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    _stage(con, rows=10)
    checks = [Check("expect_column_values_to_not_be_null", {"column": "lead_id"}, "lead_id", "required")]
    first = run_suite(con, "stg", "hubspot_contacts", checks)
    second = run_suite(con, "stg", "hubspot_contacts", checks)
    assert [(r.success, r.element_count) for r in first + second] == [(True, 10), (True, 10)]
    assert con.execute("SELECT current_database()").fetchone() == ("stage",)


def test_uniqueness_runs_as_a_count_distinct_and_keeps_its_name(tmp_path):
    """Rows 1..4990 have id i, rows 4991..5000 ids 1..9 and 0: ids 1..9 appear twice (rows 1..9
    and 4991..4999), id 0 once, so 18 rows fail. The plain check runs as GX's "proportion of
    distinct values is 1" (one COUNT DISTINCT); one with ``mostly`` is GX's own to judge (18 of
    5000 is 0.36%, more than 0.1%). Both keep the declared name and find the same rows. A
    column with no value at all repeats none."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("ATTACH ':memory:' AS stage")
    con.execute("USE stage")
    con.execute("""CREATE TABLE stg AS SELECT i AS _row, CASE WHEN i <= 4990 THEN i ELSE i % 10 END AS lead_id,
                   NULL::VARCHAR AS nothing FROM range(1, 5001) t(i)""")
    unique = Check("expect_column_values_to_be_unique", {"column": "lead_id"}, "lead_id", "once per export")
    mostly = Check("expect_column_values_to_be_unique", {"column": "lead_id", "mostly": 0.999}, "lead_id", "mostly once")
    empty = Check("expect_column_values_to_be_unique", {"column": "nothing"}, "nothing", "once per export")
    results = run_suite(con, "stg", "uniqueness", [unique, mostly, empty])
    assert [(r.success, r.element_count, r.unexpected_count) for r in results] == [(False, 5000, 18), (False, 5000, 18), (True, 5000, 0)]
    assert json.loads(results[2].result_json)["success"] is True
    assert [r.check.type for r in results] == ["expect_column_values_to_be_unique"] * 3
    assert '"type": "expect_column_proportion_of_unique_values_to_be_between"' in results[0].result_json
    assert '"type": "expect_column_values_to_be_unique"' in results[1].result_json
    for result in results[:2]:
        rows = sorted(r for (r,) in con.execute(result.failing_rows_sql).fetchall())
        assert rows == [*range(1, 10), *range(4991, 5000)]
    assert results[2].failing_rows_sql is None


def test_gx_imports_without_loading_scipy_stats_or_altair_until_used():
    """GX imports scipy.stats and altair for one expectation an ingest never runs; they load only
    when used, and then work (a fresh interpreter, as the command line has)."""
    program = """
import sys
from pipelines.validation import _gx_context
_gx_context()
print("scipy.stats._stats_py" in sys.modules, "altair.vegalite" in sys.modules)
import importlib.util
print(importlib.util.find_spec("altair").name, "altair.vegalite" in sys.modules)
import altair.vegalite  # a submodule first: the deferred package is loaded to find it
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
print(round(kl.stats.entropy([0.5, 0.5]), 4), kl.alt.Chart is altair.vegalite.Chart)
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "altair", "False", "0.6931", "True"]


@pytest.mark.parametrize("columns", [[], None, "lead_id"])
def test_a_badly_declared_compound_key_is_refused_in_one_line(tmp_path, columns):
    """An empty, missing or non-list column_list is GX's to refuse, as a bad expectation of the
    source file (not a crash in the rewrite to a GROUP BY)."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    _stage(con, rows=10)
    check = Check("expect_compound_columns_to_be_unique", {"column_list": columns}, None, "key", "expectations[0]")
    with pytest.raises(SourceDefinitionError, match="bad expectation expect_compound_columns_to_be_unique"):
        run_suite(con, "stg", "compound", [check])
