"""Type an export's text into canonical fields, as it is read into ``stg`` (reading.read_into_stg).

``stg`` holds, per row, the typed fields, two hashes of the line and what the checks and the
quarantine need besides: ``_unparsed``, for a row where a parsed field did not parse, each
parsed field's cleaned text where it did not parse (NULL for the other rows: one list column
instead of a mostly empty text column per field, 94 MB less for 5M rows), ``f__unmapped``, a
value no map knows, and ``_raw``, the row's cells as text, kept only for rows that fail one of
the checks every source gets (``_raw`` of any other failing row is read from the file again).
Keeping every cell of every row cost as long as typing them. The view ``stg_rows`` adds
``_row``, each ``f__unparsed`` and ``f__raw`` (NULL when the cell is blank or a placeholder such
as ``--``). Email and phone are hashed here with the warehouse's salt, so they never reach
the warehouse in clear (the staging database lives in the writer's memory and spill files, and
goes with it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from pipelines.errors import SourceDefinitionError
from pipelines.facts import CHANNELS, FACTS, Field, iso_currencies
from pipelines.reading import Export, raw_column
from pipelines.registry import find_headings
from pipelines.sourcespec import SourceSpec
from pipelines.sqltext import quote_ident, sql_literal
from pipelines.warehouse import PII_HASHES

_CURRENCY_PREFIX = r"^(?:[A-Z]{1,3}\$|[$¥€£₹￥]|[A-Z]{3}\s+)\s*"


@dataclass
class Staged:
    headings: dict[str, str]  # canonical field -> the export's heading it came from
    duplicates: int
    unmapped: dict[str, dict[str, int]]  # field -> value -> rows sent to the unmapped default


@dataclass
class Typing:
    """The SQL typing an export, in the places ``reading.read_into_stg`` puts it.

    ``cleaned`` is the innermost SELECT list: each heading's cleaned text once, as ``_t<i>``,
    because a field's value, its checks and its hash all start from it and DuckDB would
    otherwise trim and compare the same cell once per use. ``typed`` types the fields from that
    text, beside each parsed field's text ``f__text`` and each mapped field's ``f__unmapped``;
    ``unparsed`` then keeps ``f__text`` only where ``f`` did not parse (``texts`` lists the
    ``f__text`` columns to drop): a projection of its own, so each cell is parsed once.
    ``kept_unparsed`` gathers those ``f__unparsed`` (listed in ``unparsed_columns``) into the one
    column ``stg`` keeps. ``derived`` is the list of the view ``stg_rows``: what costs nothing
    to work out when a query asks (constants, fields the export lacks, ``f__unparsed``,
    ``f__raw``).
    """

    cleaned: str
    typed: str
    unparsed: str
    texts: str
    unparsed_columns: list[str]
    kept_unparsed: str
    derived: str
    headings: dict[str, str]  # canonical field -> the heading it comes from (the first the export has)


def typed_select(con: duckdb.DuckDBPyConnection, spec: SourceSpec, columns: list[str], salt: str, pii_hash: str) -> Typing:
    """How to type an export with headings ``columns`` into the canonical fields of ``spec``;
    email and phone hashed with ``salt`` by the scheme ``pii_hash`` names (``PII_HASHES``)."""
    found = {canon: find_headings(m.headings, columns) for canon, m in spec.columns.items()}
    found = {canon: hs for canon, hs in found.items() if hs}
    con.execute("SET VARIABLE okrfunnel_salt = ?", [salt])
    con.execute(f"CREATE OR REPLACE TEMP MACRO okrfunnel_pii_hash(value) AS {PII_HASHES[pii_hash]}")
    used = sorted({columns.index(h) for hs in found.values() for h in hs})
    cleaned = ", ".join(f"{_clean(quote_ident(columns[i]), spec)} AS _t{i}" for i in used)
    cols = _Columns(lambda h: f"_t{columns.index(h)}", lambda h: raw_column(columns.index(h)))
    typed, texts, unparsed, derived = [], [], [], []
    for name, fld in FACTS[spec.fact].items():
        if name in spec.constants or name not in found:
            fields = _field_sql(spec, fld, name, [], columns, cols)
            if name in spec.constants and fld.type == "pii":
                # View stg_rows is read through other connections (GX's, the loader's), which know
                # neither the salt variable nor the macro: a constant's hash goes in as its number.
                fields = [_hash_literal(con, f) for f in fields]
            derived.extend(fields)
            if parsed(fld) and name not in spec.constants:
                derived.append(f"NULL::VARCHAR AS {name}__raw")
            continue
        typed.extend(_field_sql(spec, fld, name, found[name], columns, cols))
        text = _text(spec, name, found[name], columns, cols)
        if parsed(fld):
            typed.append(f"{text} AS {name}__text")
            texts.append(f"{name}__text")
            unparsed.append(f"CASE WHEN {name} IS NULL THEN {name}__text END AS {name}__unparsed")
            kept = f"_unparsed[{len(texts)}]"
            derived.extend([f"{kept} AS {name}__unparsed", f"coalesce(CAST({name} AS VARCHAR), {kept}) AS {name}__raw"])
        if name in spec.unmapped:
            typed.append(f"CASE WHEN {_map_sql(spec, name, text)} IS NULL THEN {text} END AS {name}__unmapped")
    _check_constants(con, spec, cols)
    columns_unparsed = [t.removesuffix("__text") + "__unparsed" for t in texts]
    kept_unparsed = (
        f"CASE WHEN coalesce({', '.join(columns_unparsed)}) IS NOT NULL THEN [{', '.join(columns_unparsed)}] END AS _unparsed"
        if texts else ""
    )
    return Typing(cleaned, ", ".join(typed), ", ".join(unparsed), ", ".join(texts), columns_unparsed, kept_unparsed,
                  ", ".join(derived), {canon: hs[0] for canon, hs in found.items()})


def _check_constants(con: duckdb.DuckDBPyConnection, spec: SourceSpec, cols: _Columns) -> None:
    """A constant stands for a cell of every row, and the checks every source gets do not look
    at it: one that is not a valid value of its field (does not parse, a currency or channel no
    one knows, a negative number) would make every row's value wrong, so the source is refused."""
    fields = FACTS[spec.fact]
    for name, value in spec.constants.items():
        fld = fields[name]
        (typed,) = _field_sql(spec, fld, name, [], [], cols)
        (got,) = con.execute(f"SELECT {typed}").fetchone()
        if parsed(fld) and got is None:
            expected = f"a value of type {fld.type} in the source's formats"
        elif fld.type == "currency" and got not in iso_currencies():
            expected = "an ISO 4217 currency code such as USD or CNY"
        elif fld.type == "channel" and got not in CHANNELS:
            expected = f"a channel ({', '.join(CHANNELS)})"
        elif fld.non_negative and got is not None and got < 0:
            expected = "a number that is not negative"
        else:
            continue
        raise SourceDefinitionError(f"constant {value!r} is not {expected}", file=spec.path, column=f"constants.{name}")


def finish(con: duckdb.DuckDBPyConnection, export: Export, headings: dict[str, str], unique: str | None) -> Staged:
    """After ``stg`` is read and validated: drop identical repeated lines, and list values no map
    knows. ``unique``: a field validation found without repeats, if any (see
    ``_drop_identical_lines``)."""
    duplicates = _drop_identical_lines(con, unique)
    return Staged(headings, duplicates, _unmapped_values(con, export.spec, headings))


def parsed(fld: Field) -> bool:
    """Whether a field's text is parsed, so that "blank" and "does not parse" differ."""
    return fld.type in ("timestamp", "date", "number", "integer")


@dataclass(frozen=True)
class _Columns:
    """Where a heading's text is found: ``cleaned`` (trimmed, placeholders NULL) and ``raw``."""

    cleaned: Callable[[str], str]
    raw: Callable[[str], str]


def _drop_identical_lines(con: duckdb.DuckDBPyConnection, unique: str | None) -> int:
    """Delete repeats of identical lines (the first stays); return how many.

    Lines are the same when both their hashes are (two 64-bit hashes of the cells in opposite
    orders: a chance of about n^2 / 2^129 that two different lines of n look the same, 4e-26
    for ten million). Only the rows sharing the first hash are ranked, and only when there are
    any: a count of distinct hashes (0.26-0.36 s for 5M lines) is cheaper than listing the
    shared ones (0.29-0.55 s).

    Identical lines have the same value in every field: where field ``unique`` repeats nowhere,
    they can only be among the rows that leave it empty, and only those are counted (the key of
    a CRM export: a few rows, not 5M).
    """
    if unique not in {name for (name, *_) in con.execute("DESCRIBE stg").fetchall()}:
        unique = None
    among = f"{quote_ident(unique)} IS NULL" if unique else "true"
    if not con.execute(f"SELECT count(*) > count(DISTINCT _line_hash) FROM stg WHERE {among}").fetchone()[0]:
        return 0
    shared = con.execute(
        f"SELECT list(_line_hash) FROM (SELECT _line_hash FROM stg WHERE {among} GROUP BY 1 HAVING count(*) > 1)"
    ).fetchone()[0]
    return con.execute(
        """DELETE FROM stg WHERE rowid IN (
               SELECT rowid FROM stg WHERE list_contains(?, _line_hash)
               QUALIFY row_number() OVER (PARTITION BY _line_hash, _line_hash2 ORDER BY rowid) > 1)""",
        [shared],
    ).fetchone()[0]


def _clean(column: str, spec: SourceSpec) -> str:
    """Trimmed text, NULL for blanks and the source's placeholders.

    A ``CASE`` of comparisons, not ``IN`` (nor ``list_contains``, which becomes one): DuckDB plans
    an ``IN`` of more than a few constants as a join, which costs a hash probe per cell and, in a
    view, runs even for queries that never read the column.
    """
    nulls = " ".join(f"WHEN {sql_literal(v)} THEN NULL" for v in spec.null_values)
    return f"CASE trim({column}) {nulls} ELSE trim({column}) END" if nulls else f"trim({column})"


def _text(spec: SourceSpec, name: str, found: list[str], export_headings: list[str], cols: _Columns) -> str:
    """A field's cleaned text: the first non-empty of its headings, where its condition holds."""
    cleaned = [cols.cleaned(h) for h in found]
    text = cleaned[0] if len(cleaned) == 1 else f"coalesce({', '.join(cleaned)})"
    mapping = spec.columns[name]
    if mapping.when_column:
        cond = find_headings(mapping.when_column, export_headings)
        values = ", ".join(sql_literal(v.lower()) for v in mapping.when_values)
        text = f"CASE WHEN lower(trim({cols.raw(cond[0])})) IN ({values}) THEN {text} END" if cond else "NULL::VARCHAR"
    return text


def _field_sql(spec: SourceSpec, fld: Field, name: str, found: list[str], export_headings: list[str], cols: _Columns) -> list[str]:
    """The typed value of one field (for email and phone: their salted hash). A constant is
    typed as a cell holding it would be."""
    if name in spec.constants:
        text = _clean(sql_literal(spec.constants[name]), spec)
    elif not found:
        if fld.type == "pii":
            return [f"NULL::UHUGEINT AS {name}_hash"]
        # A report row without a count column stands for one stage entry.
        default = "1" if name == "entries" else "NULL"
        return [f"{default}::{_sql_type(fld)} AS {name}"]
    else:
        text = _text(spec, name, found, export_headings, cols)
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
        return [f"{typed(_mapped_sql(spec, name, text))} AS {name}"]
    return [f"{typed(text)} AS {name}"]


def _sql_type(fld: Field) -> str:
    return {"timestamp": "TIMESTAMP", "date": "DATE", "number": "DECIMAL(18,4)", "integer": "BIGINT"}.get(fld.type, "VARCHAR")


def _timestamp_sql(text: str, formats: tuple[str, ...]) -> str:
    fmts = ", ".join(sql_literal(f) for f in dict.fromkeys(formats))
    return f"try_strptime({text}, [{fmts}])"


def _number_sql(text: str, spec: SourceSpec) -> str:
    """Numbers as the source writes them: an optional currency sign or code, thousands grouped
    in threes, the source's decimal mark. Anything else (``12,5`` where "," groups thousands)
    does not parse rather than being read as another number."""
    t, d = re.escape(spec.thousands), re.escape(spec.decimal)
    grouped = rf"[+-]?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?" if spec.thousands else rf"[+-]?\d+({d}\d+)?"
    bare = f"replace(regexp_replace({text}, '{_CURRENCY_PREFIX}', ''), ' ', '')"
    plain = f"replace({bare}, {sql_literal(spec.thousands)}, '')" if spec.thousands else bare
    if spec.decimal == ",":
        plain = f"replace({plain}, ',', '.')"
    return f"CASE WHEN regexp_full_match({bare}, {sql_literal(grouped)}) THEN {plain} END"


def _hash_literal(con: duckdb.DuckDBPyConnection, aliased: str) -> str:
    """``<hash expression> AS <name>`` as the number the expression gives, worked out now."""
    expression, _, name = aliased.rpartition(" AS ")
    (value,) = con.execute(f"SELECT {expression}").fetchone()
    return f"{'NULL' if value is None else value}::UHUGEINT AS {name}"


def _hash_sql(name: str, text: str) -> str:
    """The salted hash of the normalised value, by the warehouse's scheme (``PII_HASHES``)."""
    # A phone cell with no digit ("unknown") would hash to one value shared by unrelated leads:
    # NULL instead, as for a blank cell (NULL goes through every function below as NULL).
    normalised = f"lower({text})" if name == "email" else f"nullif({_phone_digits(text)}, '')"
    return f"okrfunnel_pii_hash({normalised})"


def _phone_digits(text: str) -> str:
    """A phone's digits and +, in their order. Most phones hold nothing else but spaces and
    hyphens (``+86 138 0000 0001``, ``13800000001``, ``+1 555-0101``): for those, two
    ``replace`` and a check cost 0.42 CPU s per 2.25M phones, where the regular expression that
    drops any other character costs 0.91. The others still go through it."""
    return (f"CASE WHEN regexp_full_match({text}, '[0-9+ -]*') THEN replace(replace({text}, ' ', ''), '-', '') "
            f"ELSE regexp_replace({text}, '[^0-9+]', '', 'g') END")


def _mapped_sql(spec: SourceSpec, name: str, text: str) -> str:
    """Source value -> canonical value; unknown values go to the source's ``unmapped`` default."""
    fallback = sql_literal(spec.unmapped[name]) if name in spec.unmapped else (
        f"replace(lower({text}), ' ', '_')" if name == "channel" else text
    )
    return f"CASE WHEN {text} IS NULL THEN NULL ELSE coalesce({_map_sql(spec, name, text)}, {fallback}) END"


def _map_sql(spec: SourceSpec, name: str, text: str) -> str:
    """The canonical value the source's map gives ``text``, NULL when it has none.

    The map is a literal in the expression, not a lookup table: a subquery would be planned as a
    join, whose parallel output loses the file's row order that row numbers are counted from.
    """
    pairs = ", ".join(f"{sql_literal(src)}: {sql_literal(dst)}" for src, dst in spec.value_maps.get(name, {}).items())
    return f"MAP {{{pairs}}}[lower({text})]" if pairs else "NULL::VARCHAR"


def _unmapped_values(con, spec: SourceSpec, headings: dict[str, str]) -> dict[str, dict[str, int]]:
    out = {}
    for name in spec.unmapped:
        if name not in headings or name in spec.constants:
            continue
        rows = con.execute(
            f"""SELECT {name}__unmapped AS value, count(*) AS n FROM stg WHERE {name}__unmapped IS NOT NULL
                GROUP BY 1 ORDER BY n DESC, value"""
        ).fetchall()
        if rows:
            out[name] = dict(rows)
    return out
