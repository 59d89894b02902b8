"""Structured errors: every failure names where it happened and what was expected.

The CLI renders them as one line (``OkrfunnelError.one_line``); the dashboard will render the same
fields as a table. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class OkrfunnelError(Exception):
    """A failure a user can act on.

    Attributes:
        message: what went wrong, in plain words.
        file: the file concerned (an export, a source file, the warehouse, a config file).
        row: the row as a spreadsheet shows it (1-based, header rows counted), when known.
        column: the column heading (or config key), when known.
        value: the offending value, when known.
        expected: what would have been accepted.
        hint: the next step for the user.
    """

    message: str
    file: str | Path | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    hint: str | None = None
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = (": ".join([", ".join(where), self.message]) if where else self.message)
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f". {self.hint[0].upper()}{self.hint[1:]}"
        return text

    def as_record(self) -> dict:
        return {
            "file": None if self.file is None else str(self.file),
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
            "hint": self.hint,
        }


class InputFileError(OkrfunnelError):
    """An export could not be read at all (empty, binary, bad encoding, unknown header)."""


class SourceDefinitionError(OkrfunnelError):
    """A source file (YAML/TOML) is broken: names the file and the key."""


class ConfigError(OkrfunnelError):
    """okrfunnel.toml or a command-line argument is wrong."""


class WarehouseError(OkrfunnelError):
    """The warehouse is missing, locked by another program, or from a newer okrfunnel."""


class MetricError(OkrfunnelError):
    """A metric, period or dimension asked for does not exist or cannot be computed."""


class OkrDefinitionError(OkrfunnelError):
    """An OKR file or check-in file with mistakes. ``problems`` holds every one found, each
    naming its file and line or cell, so a whole file can be fixed in one go; nothing of the
    file is loaded."""

    @property
    def problems(self) -> list[OkrfunnelError]:
        return self.details.get("problems") or [self]

    def one_line(self) -> str:
        problems = self.details.get("problems")
        if not problems:
            return super().one_line()
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        return problems[0].one_line() + more
