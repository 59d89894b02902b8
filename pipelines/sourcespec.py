"""One declarative file per source: how to recognise, read and map an export.

The format is documented in ``docs/sources.md``; the built-in files in ``pipelines/sources/`` are
examples of every feature. A broken file raises ``SourceDefinitionError`` naming the file and key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.errors import SourceDefinitionError
from pipelines.facts import FACTS, STAGE_FIELDS

_TOP_KEYS = {
    "name", "title", "description", "fact", "lead_namespace", "required", "read", "columns",
    "constants", "formats", "value_maps", "unmapped", "expectations", "pii",
}
_READ_KEYS = {"encoding", "delimiter", "sheet", "summary_rows", "footer_lines"}
_FORMAT_KEYS = {"date", "timestamp", "thousands", "decimal", "null_values"}
_ENCODINGS = {"auto", "utf-8", "utf-16", "gb18030"}

ISO_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
DEFAULT_NULL_VALUES = ("", "--", "-", "N/A", "n/a", "NULL", "null")


@dataclass(frozen=True)
class ColumnMapping:
    """Where a canonical field comes from: the first heading of ``headings`` the export has.

    ``when`` restricts a stage date to rows whose ``when_column`` holds one of ``when_values``
    (a Salesforce opportunity's close date is a won date only when its stage is Closed Won).
    """

    headings: tuple[str, ...]
    when_column: tuple[str, ...] = ()
    when_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceSpec:
    name: str
    title: str
    fact: str
    path: Path
    columns: dict[str, ColumnMapping]
    required: tuple[str, ...]
    lead_namespace: str | None = None
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: int | str = 0
    summary_rows: tuple[str, ...] = ()
    footer_lines: tuple[str, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    timestamp_formats: tuple[str, ...] = ()
    thousands: str = ","
    decimal: str = "."
    null_values: tuple[str, ...] = DEFAULT_NULL_VALUES
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    unmapped: dict[str, str] = field(default_factory=dict)
    expectations: tuple[dict, ...] = ()
    pii: tuple[str, ...] = ()  # headings masked wherever a raw row is kept (quarantine)
    description: str = ""
    builtin: bool = False

    @property
    def namespace(self) -> str:
        return self.lead_namespace or self.name


def load_spec(path: Path, builtin: bool = False) -> SourceSpec:
    """Parse and check one source file.

    Raises:
        SourceDefinitionError: unreadable file, unknown key, unknown field, bad value.
    """
    raw = _read_document(path)
    return _build(raw, path, builtin)


def _read_document(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SourceDefinitionError("source file is not UTF-8 text", file=path) from None
    try:
        doc = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceDefinitionError(
            f"not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: {getattr(exc, 'problem', exc)}",
            file=path, row=mark.line + 1 if mark else None,
        ) from None
    if not isinstance(doc, dict):
        raise SourceDefinitionError("a source file must be a mapping of keys", file=path)
    return doc


def _fail(path: Path, key: str, message: str, expected: str | None = None) -> SourceDefinitionError:
    return SourceDefinitionError(message, file=path, column=key, expected=expected)


def _strings(value, path: Path, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail(path, key, "must be a heading or a list of headings")


def _column(value, path: Path, key: str) -> ColumnMapping:
    if isinstance(value, dict):
        extra = set(value) - {"column", "when"}
        if extra or "column" not in value:
            raise _fail(path, key, "bad mapping", "{column: heading(s), when: {column: heading, in: [values]}}")
        when = value.get("when") or {}
        if when and (set(when) != {"column", "in"}):
            raise _fail(path, f"{key}.when", "bad condition", "{column: heading, in: [values]}")
        return ColumnMapping(
            _strings(value["column"], path, f"{key}.column"),
            _strings(when["column"], path, f"{key}.when.column") if when else (),
            tuple(str(v) for v in when.get("in", ())),
        )
    return ColumnMapping(_strings(value, path, key))


def _build(raw: dict, path: Path, builtin: bool) -> SourceSpec:
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown key", ", ".join(sorted(_TOP_KEYS)))
    for key in ("name", "fact", "columns"):
        if key not in raw:
            raise _fail(path, key, "missing key")
    name, fact = raw["name"], raw["fact"]
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail(path, "name", "must be a lowercase identifier", "e.g. hubspot_contacts")
    if fact not in FACTS:
        raise _fail(path, "fact", f"unknown fact {fact!r}", ", ".join(FACTS))
    fields = FACTS[fact]
    if not isinstance(raw["columns"], dict) or not raw["columns"]:
        raise _fail(path, "columns", "must map canonical fields to headings")
    columns = {}
    for canon, value in raw["columns"].items():
        if canon not in fields:
            raise _fail(path, f"columns.{canon}", "unknown field", f"one of {', '.join(fields)}")
        mapping = _column(value, path, f"columns.{canon}")
        if mapping.when_column and canon not in STAGE_FIELDS:
            raise _fail(path, f"columns.{canon}.when", "conditions are for stage dates only")
        columns[canon] = mapping
    constants = raw.get("constants") or {}
    for canon, value in constants.items():
        if canon not in fields:
            raise _fail(path, f"constants.{canon}", "unknown field", f"one of {', '.join(fields)}")
        if not isinstance(value, (str, int, float)):
            raise _fail(path, f"constants.{canon}", "must be a single value")
    required = tuple(raw.get("required") or columns)
    for canon in required:
        if canon not in columns:
            raise _fail(path, "required", f"{canon!r} is not in columns")
    if fact == "funnel" and not any(c in STAGE_FIELDS for c in columns):
        raise _fail(path, "columns", "a funnel source maps at least one stage date", ", ".join(STAGE_FIELDS))
    read = raw.get("read") or {}
    if set(read) - _READ_KEYS:
        raise _fail(path, f"read.{sorted(set(read) - _READ_KEYS)[0]}", "unknown key", ", ".join(sorted(_READ_KEYS)))
    encoding = str(read.get("encoding", "auto")).lower()
    if encoding not in _ENCODINGS:
        raise _fail(path, "read.encoding", f"unknown encoding {encoding!r}", ", ".join(sorted(_ENCODINGS)))
    formats = raw.get("formats") or {}
    if set(formats) - _FORMAT_KEYS:
        raise _fail(path, f"formats.{sorted(set(formats) - _FORMAT_KEYS)[0]}", "unknown key", ", ".join(sorted(_FORMAT_KEYS)))
    value_maps = _value_maps(raw.get("value_maps") or {}, columns, path)
    decimal = str(formats.get("decimal", "."))
    thousands = str(formats.get("thousands", "." if decimal == "," else ","))
    if decimal not in (".", ",") or thousands not in (",", ".", " ", "'", "") or thousands == decimal:
        raise _fail(path, "formats", f"thousands {thousands!r} and decimal {decimal!r} do not go together",
                    'decimal "." with thousands "," (the default), or decimal "," with thousands "."')
    return SourceSpec(
        name=name,
        title=str(raw.get("title", name)),
        description=str(raw.get("description", "")).strip(),
        fact=fact,
        path=path,
        columns=columns,
        required=required,
        lead_namespace=raw.get("lead_namespace"),
        encoding=encoding,
        delimiter=str(read.get("delimiter", "auto")),
        sheet=read.get("sheet", 0),
        summary_rows=_patterns(read.get("summary_rows"), path, "read.summary_rows"),
        footer_lines=_patterns(read.get("footer_lines"), path, "read.footer_lines"),
        constants={k: str(v) for k, v in constants.items()},
        date_formats=tuple(formats.get("date", ())) + ISO_TIMESTAMP_FORMATS,
        timestamp_formats=tuple(formats.get("timestamp", formats.get("date", ()))) + ISO_TIMESTAMP_FORMATS,
        thousands=thousands,
        decimal=decimal,
        null_values=tuple(formats.get("null_values", DEFAULT_NULL_VALUES)),
        value_maps=value_maps,
        unmapped={k: str(v) for k, v in (raw.get("unmapped") or {}).items()},
        expectations=tuple(_expectations(raw.get("expectations") or [], path)),
        pii=_strings(raw["pii"], path, "pii") if raw.get("pii") else (),
        builtin=builtin,
    )


def _value_maps(raw: dict, columns: dict, path: Path) -> dict[str, dict[str, str]]:
    """Source value -> canonical value, matched without regard to case or surrounding spaces."""
    out: dict[str, dict[str, str]] = {}
    for canon, mapping in raw.items():
        if canon not in columns or not isinstance(mapping, dict):
            raise _fail(path, f"value_maps.{canon}", "must map values of a mapped column")
        folded: dict[str, str] = {}
        for src, dst in mapping.items():
            key = str(src).strip().lower()
            if folded.get(key, str(dst)) != str(dst):
                raise _fail(path, f"value_maps.{canon}.{src}", f"maps to both {folded[key]!r} and {dst!r}")
            folded[key] = str(dst)
        out[canon] = folded
    return out


def _patterns(value, path: Path, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    patterns = _strings(value, path, key)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(path, key, f"bad regular expression {pattern!r}: {exc}") from None
    return patterns


def _expectations(items: list, path: Path) -> list[dict]:
    """Expectations in Great Expectations' own names: ``- expect_column_values_to_be_unique: {column: lead_id}``."""
    out = []
    for i, item in enumerate(items):
        key = f"expectations[{i}]"
        if not (isinstance(item, dict) and len(item) == 1):
            raise _fail(path, key, "each expectation is one GX expectation name with its arguments")
        (kind, kwargs), = item.items()
        if not (isinstance(kind, str) and kind.startswith("expect_") and isinstance(kwargs, dict)):
            raise _fail(path, key, f"bad expectation {kind!r}", "a Great Expectations name such as expect_column_values_to_be_unique")
        out.append({"type": kind, "kwargs": kwargs})
    return out
