"""Great Expectations suites over the staged rows, pushed down into DuckDB.

Each source gets a suite: the checks every source of its fact must pass (``contract_checks``) plus
the expectations its file declares. GX runs them on ``stg`` through ``duckdb_engine``; every
expectation also yields the SQL that selects all its failing rows, so the loader can set aside
every failing row (not GX's sample of 20). ``great_expectations`` is imported only here, lazily:
it takes seconds to import and most commands never validate.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import threading
import types
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.errors import SourceDefinitionError
from pipelines.facts import (
    CHANNELS,
    FACTS,
    REQUIRED,
    STAGE_FIELDS,
    date_fields,
    iso_currencies,
)
from pipelines.sourcespec import SourceSpec
from pipelines.sqltext import quote_ident, sql_literal
from pipelines.staging import parsed


@dataclass(frozen=True)
class Check:
    """One expectation with the words and the column a set-aside row will be reported under."""

    type: str
    kwargs: dict
    field: str | None
    reason: str
    source_key: str | None = None  # where a source file declared it, e.g. "expectations[0]"
    # The failing rows' condition over the columns stored in ``stg``, for the checks every source
    # gets: rows meeting any are kept with their cells as text while the export is read.
    row_sql: str | None = None


@dataclass
class CheckResult:
    check: Check
    success: bool
    element_count: int | None
    unexpected_count: int | None
    failing_rows_sql: str | None  # selects column _row of every failing row
    result_json: str
    exception: str | None = None


def contract_checks(spec: SourceSpec, present: set[str], export_date: date) -> list[Check]:
    """The checks no source of ``spec.fact`` may skip, for the fields this export has.

    Args:
        spec: the source.
        present: canonical fields the export maps (headings found, or constants).
        export_date: the day the export was made; no date may fall after it.
    """
    fields = FACTS[spec.fact]
    checks: list[Check] = []
    keys = set(REQUIRED[spec.fact]) | ({"lead_id"} if "lead_id" in spec.columns else set())
    # On the cell's text, so a cell that is there but does not parse is reported once, as such.
    for name in sorted(keys - set(spec.constants)):
        is_parsed = parsed(fields[name])
        condition = _no_text(name) if is_parsed else f"{name} IS NULL"
        checks.append(Check(
            "expect_column_values_to_not_be_null", {"column": f"{name}__raw" if is_parsed else name}, name,
            "a value is required", row_sql=condition if name in present else None,
        ))
    for name, fld in fields.items():
        if name not in present or name in spec.constants:
            continue
        if parsed(fld):
            what = {
                "timestamp": f"a date/time ({' or '.join(spec.timestamp_formats[:2])})",
                "date": f"a date ({' or '.join(spec.date_formats[:2])})",
                "number": "a number",
                "integer": "a whole number",
            }[fld.type]
            checks.append(_rows_check(f"{name}__unparsed IS NOT NULL", name, f"expected {what}"))
        if fld.non_negative:
            checks.append(Check("expect_column_values_to_be_between", {"column": name, "min_value": 0}, name,
                                "must not be negative", row_sql=f"{name} < 0"))
        if fld.type == "currency":
            checks.append(_in_set_check(name, iso_currencies(), "expected an ISO 4217 currency code such as USD or CNY"))
        if fld.type == "channel":
            checks.append(_in_set_check(name, list(CHANNELS), f"expected a channel: {', '.join(CHANNELS)}"))
    for name in date_fields(spec.fact):
        if name in present:
            check = _rows_check(
                f"CAST({name} AS DATE) > DATE '{export_date.isoformat()}'", name,
                f"date is after the export's date {export_date.isoformat()}",
            )
            checks.append(check if name not in spec.constants else replace(check, row_sql=None))
    stages = [f for f in STAGE_FIELDS if f in present]
    # A stage given as a constant dates every row; an export without any stage is refused before.
    if spec.fact == "funnel" and stages and not set(stages) & set(spec.constants):
        checks.append(_rows_check(" AND ".join(_no_text(f) for f in stages), stages[0], "the row has no stage date at all"))
    return checks


def suspect_rows_sql(checks: list[Check]) -> str | None:
    """Rows that fail some check whose condition is known before GX runs, as one condition."""
    conditions = [f"({c.row_sql})" for c in checks if c.row_sql]
    return " OR ".join(conditions) or None


def _no_text(name: str) -> str:
    return f"{name} IS NULL AND {name}__unparsed IS NULL"


def _in_set_check(name: str, values: list[str], reason: str) -> Check:
    allowed = ", ".join(sql_literal(v) for v in values)
    return Check("expect_column_values_to_be_in_set", {"column": name, "value_set": values}, name, reason,
                 row_sql=f"{name} IS NOT NULL AND NOT list_contains([{allowed}], {name})")


def _rows_check(condition: str, field: str | None, reason: str) -> Check:
    return Check(
        "unexpected_rows_expectation",
        {"unexpected_rows_query": f"SELECT _row FROM {{batch}} WHERE {condition}", "description": reason},
        field,
        reason,
        row_sql=condition,
    )


def declared_checks(spec: SourceSpec) -> list[Check]:
    return [
        Check(e["type"], dict(e["kwargs"]), e["kwargs"].get("column"),
              e["kwargs"].get("description") or e["type"].replace("_", " "), f"expectations[{i}]")
        for i, e in enumerate(spec.expectations)
    ]


_gx_lock = threading.Lock()
_context = None
_preparing: threading.Thread | None = None


def prepare_in_background() -> None:
    """Import GX and make its context in a thread (once per process) while the export is hashed
    and read: the import is seconds of Python, and hashing and the read run mostly outside the
    GIL (DuckDB's own threads)."""
    global _preparing
    if _preparing is None:
        _preparing = threading.Thread(target=_gx_context, name="okrfunnel-gx-import", daemon=True)
        _preparing.start()


def _gx_context():
    """One ephemeral GX context per process, with the DuckDB cure applied (see FACTS.md)."""
    global _context
    with _gx_lock:
        if _context is None:
            _defer_unused_imports()
            # run_suite's own first import (0.14 s): made here, beside the read, not after it.
            import duckdb_engine  # noqa: F401
            import great_expectations as gx
            from great_expectations.execution_engine import (
                sqlalchemy_execution_engine as engine_module,
            )

            _register_duckdb_persisted_connection(engine_module)
            _context = gx.get_context(mode="ephemeral")
            _context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        return _context


class _Deferred(types.ModuleType):
    """A module imported when any attribute it lacks is first asked for (``__path__`` by an
    import of a submodule, say); after that, every name it lacks is looked up in the module.
    It carries the module's spec, so ``importlib.util.find_spec`` answers as for the module."""

    _loading = threading.RLock()

    def __init__(self, spec):
        super().__init__(spec.name)
        self.__spec__ = spec

    def __getattr__(self, name: str):
        with _Deferred._loading:  # two threads must not both import it (one would see it half-done)
            module = sys.modules.get(self.__name__)
            if module is self:
                del sys.modules[self.__name__]
                parent, _, child = self.__name__.rpartition(".")
                if parent and getattr(sys.modules[parent], child, None) is self:
                    delattr(sys.modules[parent], child)  # or the module's own imports of itself come back here
                module = importlib.import_module(self.__name__)
                self.__dict__.update(module.__dict__)
            elif module is None:
                module = importlib.import_module(self.__name__)
        return getattr(module, name)


def _defer_unused_imports() -> None:
    """scipy.stats and altair wait until something uses them.

    GX imports both at the top of its KL-divergence expectation (for its statistics and its
    charts), so every GX import paid 0.85 s of CPU and 50 MB for modules an ingest never calls:
    on two cores, time taken from DuckDB reading the export. (``importlib.util.LazyLoader`` does
    not help on Python 3.11: the next ``import`` of the module reads its ``__spec__``, which
    loads it.)
    """
    for name in ("scipy.stats", "altair"):
        parent, _, child = name.rpartition(".")
        spec = None if name in sys.modules else importlib.util.find_spec(name)
        if spec is None:
            continue
        sys.modules[name] = _Deferred(spec)
        if parent:  # so that ``from scipy import stats`` finds it without importing it
            setattr(sys.modules[parent], child, sys.modules[name])


class _DuckDBDialectName(str):
    """GX compares dialect names as strings and reads ``.value`` when matching connection strings."""

    value = "duckdb"


def _register_duckdb_persisted_connection(engine_module) -> None:
    """Keep one SQLAlchemy connection open per DuckDB validation.

    Without it GX reads results after the pooled connection closed, and the rollback on close
    discards DuckDB's pending result: every expectation fails with ``list index out of range``
    (GX issues #10738, #11579). The regression test ``test_gx_duckdb_cure`` guards this.
    """
    dialects = engine_module._PERSISTED_CONNECTION_DIALECTS
    if "duckdb" not in [str(getattr(d, "value", d)) for d in dialects]:
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialectName("duckdb"))


def run_suite(con: duckdb.DuckDBPyConnection, table: str, suite_name: str, checks: list[Check], source_file: Path | None = None) -> list[CheckResult]:
    """Validate ``table`` of the current catalog of ``con`` (an in-memory staging database, say).

    GX reaches the table through SQLAlchemy connections that are cursors of ``con``: the same
    DuckDB instance, so nothing is written to a file for GX to open, and all are closed again
    before this returns.

    Raises:
        SourceDefinitionError: an expectation of ``source_file`` is unknown, has bad arguments,
            or fails to run (a column that does not exist, say).
    """
    from duckdb_engine import ConnectionWrapper

    catalog = con.execute("SELECT current_database()").fetchone()[0]

    def cursor():
        cur = con.cursor()
        cur.execute(f"USE {quote_ident(catalog)}")
        return ConnectionWrapper(cur)

    context = _gx_context()
    # The URL only picks the dialect: every connection comes from ``creator``.
    source = context.data_sources.add_sql(
        name=f"stage_{suite_name}", connection_string="duckdb:///:memory:", kwargs={"creator": cursor},
    )
    try:
        batch = source.add_table_asset(name=table, table_name=table).add_batch_definition_whole_table("all").get_batch()
        results = _validate(batch, suite_name, checks, range(len(checks)), "BASIC", table, source_file)
        # Only a failed check's failing rows are wanted in full, and GX says which they are (as a
        # query) only in its COMPLETE format, which lists every unexpected value and row: run
        # again those that failed and have no query of ours.
        again = [i for i, r in enumerate(results) if not r.success and r.failing_rows_sql is None]
        if again:
            for i, complete in zip(again, _validate(batch, suite_name, checks, again, "COMPLETE", table, source_file)):
                results[i] = replace(results[i], failing_rows_sql=complete.failing_rows_sql)
        # The rewritten uniqueness checks (``_runs_as``) report no row counts of their own.
        rewritten = [i for i, r in enumerate(results) if _runs_as(r.check)[0] != r.check.type]
        if rewritten:
            (rows,) = con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()
        for i in rewritten:
            r = results[i]
            if r.unexpected_count is None:
                (count,) = con.execute(f"SELECT count(*) FROM ({r.failing_rows_sql})").fetchone()
                r = replace(r, unexpected_count=count)
            results[i] = replace(r, element_count=rows)
    finally:
        _release(source)
        context.data_sources.delete(source.name)
    return results


def _validate(batch, suite_name: str, checks: list[Check], indexes, result_format: str, table: str, source_file: Path | None) -> list[CheckResult]:
    import great_expectations as gx
    from great_expectations.expectations.registry import get_expectation_impl

    suite = gx.ExpectationSuite(name=suite_name)
    for index in indexes:
        suite.add_expectation(_expectation(get_expectation_impl, checks[index], index, source_file))
    result = batch.validate(
        suite,
        result_format={
            "result_format": result_format,
            "unexpected_index_column_names": ["_row"],
            "return_unexpected_index_query": True,
            "partial_unexpected_count": 20,
        },
    )
    # GX does not keep the suite's order in its results: match them back by our index.
    by_index = {r.expectation_config.meta["check_index"]: r for r in result.results}
    results = [_check_result(checks[i], by_index[i], table) for i in indexes]
    for r in results:
        if r.exception:
            raise SourceDefinitionError(
                f"expectation {r.check.type} could not run: {r.exception}", file=source_file,
                column=r.check.source_key,
            )
    return results


def _expectation(get_expectation_impl, check: Check, index: int, source_file: Path | None):
    try:
        kind, kwargs = _runs_as(check)
        return get_expectation_impl(kind)(**kwargs, meta={"check_index": index})
    except Exception as exc:  # GX raises many kinds (registry, pydantic) for a bad declaration
        raise SourceDefinitionError(
            f"bad expectation {check.type}: {str(exc).splitlines()[0]}", file=source_file, column=check.source_key,
        ) from None


_UNIQUENESS = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")


_ALL_DISTINCT = "expect_column_proportion_of_unique_values_to_be_between"


def _runs_as(check: Check) -> tuple[str, dict]:
    """The GX expectation (type and arguments) that runs ``check``.

    A uniqueness expectation with no argument but its columns (and a description) runs as one
    GX computes with an aggregate: a single column's as "the proportion of distinct values is
    1" (one COUNT DISTINCT), a compound key's as an ``unexpected_rows_expectation`` over a
    GROUP BY. GX's own SQL for them counts each key's rows with a window over every row, once
    for the count and once for the sample: 1.5 s of the 2.3 s that validating 5M HubSpot rows
    took, against 0.45 s for the COUNT DISTINCT. GX's query for their failing rows does not run
    on DuckDB either (1.24 leaves the single column's threshold as a bind parameter on larger
    batches; the compound one joins two relations that both have ``_row``), so the failing rows
    are always ours (``_repeated_keys_sql``). The check keeps its declared name in the results.
    """
    column, columns = check.kwargs.get("column"), check.kwargs.get("column_list")
    if check.type == "expect_column_values_to_be_unique" and isinstance(column, str) and set(check.kwargs) <= {"column", "description"}:
        return _ALL_DISTINCT, {"column": column, "min_value": 1, "max_value": 1, "description": check.reason}
    if (check.type == "expect_compound_columns_to_be_unique" and set(check.kwargs) <= {"column_list", "description"}
            and isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)):
        return "unexpected_rows_expectation", {
            "unexpected_rows_query": _repeated_keys_sql(check), "description": check.reason,
        }
    return check.type, check.kwargs


def sets_aside_repeats(results: list[CheckResult], column: str) -> bool:
    """Whether these results set aside every row whose ``column`` another row shares: a plain
    uniqueness check on it ran (one with ``mostly`` may pass with repeats left)."""
    return any(_plainly_unique(r.check) == column for r in results)


def unique_column(results: list[CheckResult]) -> str | None:
    """A column that a plain uniqueness check found without repeats (empty cells aside), if any."""
    return next((column for r in results if r.success and (column := _plainly_unique(r.check))), None)


def _plainly_unique(check: Check) -> str | None:
    """The column of a uniqueness check that allows no repeat at all (not one with ``mostly``)."""
    if check.type == "expect_column_values_to_be_unique" and _runs_as(check)[0] != check.type:
        return check.kwargs["column"]
    return None


def _repeated_keys_sql(check: Check) -> str:
    """The rows whose key (all of its columns given) another row shares."""
    names = check.kwargs.get("column_list") or [check.kwargs["column"]]
    key = "(" + ", ".join(quote_ident(c) for c in names) + ")"
    given = " AND ".join(f"{quote_ident(c)} IS NOT NULL" for c in names)
    return f"SELECT _row FROM {{batch}} WHERE {key} IN (SELECT {key} FROM {{batch}} WHERE {given} GROUP BY ALL HAVING count(*) > 1)"


def _release(source) -> None:
    """Close every cursor GX opened rather than leave them to the garbage collector.

    GX keeps two engines (the datasource's, used to test the connection, and the execution
    engine's), and the execution engine's close() leaves the persisted connection of our cure open.
    """
    engine = source.get_execution_engine()
    if engine._connection is not None:
        engine._connection.close()
        engine._connection = None
    engine.close()
    source.get_engine().dispose()


def _check_result(check: Check, r, table: str) -> CheckResult:
    # What GX's r.to_json_dict() gives, without its Decimal conversion, which looks through the
    # whole call stack (inspect.stack(), reading each frame's source) for every Decimal: the 20
    # sample amounts of a failed check cost 0.3 s. ``_json_value`` converts them instead.
    doc = {
        "success": r.success, "expectation_config": r.expectation_config.to_json_dict(),
        "result": r.result, "meta": r.meta, "exception_info": r.exception_info,
    }
    res = doc.get("result") or {}
    kind, kwargs = _runs_as(check)
    success = bool(r.success)
    unexpected = res.get("unexpected_count", res.get("observed_value"))
    if kind == _ALL_DISTINCT:
        # A column without any value repeats none (GX divides 0 distinct values by 0 and fails).
        success = success or res.get("observed_value") == 0
        doc["success"] = success
        unexpected = 0 if success else None  # counted from the failing rows by run_suite
    failing = None
    if not success:
        if kind == "unexpected_rows_expectation":
            failing = kwargs["unexpected_rows_query"].replace("{batch}", table)
        elif check.type in _UNIQUENESS:
            # Declared with arguments we do not rewrite (``mostly``, say): GX's own query for the
            # failing rows does not run on DuckDB (see ``_runs_as``).
            failing = _repeated_keys_sql(check).replace("{batch}", table)
        elif res.get("unexpected_index_query"):
            failing = "SELECT _row FROM (" + res["unexpected_index_query"].strip().rstrip(";") + ")"
    return CheckResult(
        check=check,
        success=success,
        element_count=res.get("element_count"),
        unexpected_count=unexpected if isinstance(unexpected, int) else None,
        failing_rows_sql=failing,
        result_json=json.dumps(doc, default=_json_value, ensure_ascii=False),
        exception=_exception_message(doc.get("exception_info") or {}),
    )


def _json_value(value):
    """Values json cannot write, as GX's own serialisation writes them."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return str(value)


def _exception_message(info: dict) -> str | None:
    """GX reports an expectation that could not run either flat or per metric it computed."""
    for entry in (info, *(v for v in info.values() if isinstance(v, dict))):
        if entry.get("raised_exception"):
            return str(entry.get("exception_message", "")).splitlines()[0]
    return None
