"""Type the raw text rows into ``stg``: one column per canonical field, plus its cleaned text.

For every parsed field ``f`` the table holds ``f`` (typed, NULL when the text does not parse) and
``f__raw`` (the trimmed text, NULL when blank or a placeholder such as ``--``), so "does not parse"
is ``f__raw IS NOT NULL AND f IS NULL`` and the expectations can see it. Email and phone are hashed
here with the warehouse's salt and never reach ``stg`` in clear.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.facts import FACTS, Field
from pipelines.reading import RawFile
from pipelines.registry import find_headings
from pipelines.sourcespec import SourceSpec
from pipelines.sqltext import quote_ident, sql_literal

_CURRENCY_PREFIX = r"^(?:[A-Z]{1,3}\$|[$¥€£₹￥]|[A-Z]{3}\s+)\s*"


@dataclass
class Staged:
    headings: dict[str, str]  # canonical field -> the export's heading it came from
    duplicates: int
    unmapped: dict[str, dict[str, int]]  # field -> value -> rows sent to the unmapped default


def stage(con: duckdb.DuckDBPyConnection, raw: RawFile, salt: str) -> Staged:
    """Create ``stg`` from ``raw`` (identical duplicate lines kept once)."""
    spec = raw.spec
    found = {canon: find_headings(m.headings, raw.headings) for canon, m in spec.columns.items()}
    found = {canon: hs for canon, hs in found.items() if hs}
    _create_value_maps(con, spec)
    selects = ["_row"]
    for name, fld in FACTS[spec.fact].items():
        selects.extend(_field_sql(spec, fld, name, found.get(name, []), raw.headings))
    headings = {canon: hs[0] for canon, hs in found.items()}
    before = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    con.execute("SET VARIABLE okrfunnel_salt = ?", [salt])
    con.execute(
        f"""CREATE TABLE stg AS
        WITH distinct_raw AS (SELECT min(_row) AS _row, * EXCLUDE (_row) FROM raw GROUP BY ALL)
        SELECT {', '.join(selects)} FROM distinct_raw ORDER BY _row"""
    )
    after = con.execute("SELECT count(*) FROM stg").fetchone()[0]
    return Staged(headings, before - after, _unmapped_values(con, spec, headings))


def _clean(heading: str, spec: SourceSpec) -> str:
    """Trimmed text, NULL for blanks and the source's placeholders."""
    nulls = ", ".join(sql_literal(v) for v in spec.null_values)
    return f"CASE WHEN trim({quote_ident(heading)}) IN ({nulls}) THEN NULL ELSE trim({quote_ident(heading)}) END"


def _field_sql(spec: SourceSpec, fld: Field, name: str, found: list[str], export_headings: list[str]) -> list[str]:
    """Typed value and cleaned text of one field: the first non-empty of its headings present."""
    if name in spec.constants:
        return [f"{sql_literal(spec.constants[name])} AS {name}"]
    if not found:
        if fld.type == "pii":
            return [f"NULL::VARCHAR AS {name}_hash"]
        # A report row without a count column stands for one stage entry.
        default = "1" if name == "entries" else "NULL"
        return [f"{default}::{_sql_type(fld)} AS {name}", f"NULL::VARCHAR AS {name}__raw"]
    cleaned = [_clean(h, spec) for h in found]
    text = cleaned[0] if len(cleaned) == 1 else f"coalesce({', '.join(cleaned)})"
    mapping = spec.columns[name]
    if mapping.when_column:
        cond = find_headings(mapping.when_column, export_headings)
        values = ", ".join(sql_literal(v) for v in mapping.when_values)
        text = f"CASE WHEN trim({quote_ident(cond[0])}) IN ({values}) THEN {text} END" if cond else "NULL::VARCHAR"
    raw_col = f"{text} AS {name}__raw"
    if fld.type == "pii":
        return [f"{_hash_sql(name, text)} AS {name}_hash"]
    typed = {
        "text": lambda t: f"lower({t})" if name == "platform" else t,
        "currency": lambda t: f"upper({t})",
        "channel": lambda t: _mapped_sql(spec, name, t),
        "timestamp": lambda t: _timestamp_sql(t, spec.timestamp_formats),
        "date": lambda t: f"CAST({_timestamp_sql(t, spec.date_formats)} AS DATE)",
        "number": lambda t: f"try_cast({_number_sql(t, spec)} AS DECIMAL(18,4))",
        "integer": lambda t: f"try_cast({_number_sql(t, spec)} AS BIGINT)",
    }[fld.type]
    if name in spec.value_maps and fld.type != "channel":
        return [f"{typed(_mapped_sql(spec, name, text))} AS {name}", raw_col]
    return [f"{typed(text)} AS {name}", raw_col]


def _sql_type(fld: Field) -> str:
    return {"timestamp": "TIMESTAMP", "date": "DATE", "number": "DECIMAL(18,4)", "integer": "BIGINT"}.get(fld.type, "VARCHAR")


def _timestamp_sql(text: str, formats: tuple[str, ...]) -> str:
    fmts = ", ".join(sql_literal(f) for f in dict.fromkeys(formats))
    return f"try_strptime({text}, [{fmts}])"


def _number_sql(text: str, spec: SourceSpec) -> str:
    stripped = f"regexp_replace({text}, '{_CURRENCY_PREFIX}', '')"
    no_thousands = f"replace(replace({stripped}, {sql_literal(spec.thousands)}, ''), ' ', '')"
    return f"replace({no_thousands}, ',', '.')" if spec.decimal == "," else no_thousands


def _hash_sql(name: str, text: str) -> str:
    normalised = f"lower({text})" if name == "email" else f"regexp_replace({text}, '[^0-9+]', '', 'g')"
    return f"CASE WHEN {text} IS NULL THEN NULL ELSE sha256(getvariable('okrfunnel_salt') || {normalised}) END"


def _mapped_sql(spec: SourceSpec, name: str, text: str) -> str:
    """Source value -> canonical value; unknown values go to the source's ``unmapped`` default."""
    looked_up = f"(SELECT dst FROM value_map WHERE field = {sql_literal(name)} AND src = lower({text}))"
    fallback = sql_literal(spec.unmapped[name]) if name in spec.unmapped else (
        f"replace(lower({text}), ' ', '_')" if name == "channel" else text
    )
    return f"CASE WHEN {text} IS NULL THEN NULL ELSE coalesce({looked_up}, {fallback}) END"


def _create_value_maps(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    con.execute("CREATE TABLE value_map (field VARCHAR, src VARCHAR, dst VARCHAR)")
    rows = [(f, src, dst) for f, m in spec.value_maps.items() for src, dst in m.items()]
    if rows:
        con.executemany("INSERT INTO value_map VALUES (?, ?, ?)", rows)


def _unmapped_values(con, spec: SourceSpec, headings: dict[str, str]) -> dict[str, dict[str, int]]:
    out = {}
    for name in spec.unmapped:
        if name not in headings or name in spec.constants:
            continue
        rows = con.execute(
            f"""SELECT {name}__raw, count(*) FROM stg
                WHERE {name}__raw IS NOT NULL
                  AND lower({name}__raw) NOT IN (SELECT src FROM value_map WHERE field = ?)
                GROUP BY 1 ORDER BY 2 DESC""",
            [name],
        ).fetchall()
        if rows:
            out[name] = dict(rows)
    return out
