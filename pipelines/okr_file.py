"""OKR definitions as written by a team: YAML (PRODUCT.md's "OKR file") or the Excel workbook.

Both forms become the same plain structure first (``yaml.safe_load``'s shape, with a location for
every value), and are checked here once, so a workbook and a YAML file with the same content load
the same warehouse and fail with the same messages. Every problem is collected, each naming its
file and line (YAML) or sheet and cell (workbook); a file with any problem loads nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from pipelines.errors import (
    ConfigError,
    MetricError,
    OkrDefinitionError,
    OkrfunnelError,
)
from pipelines.facts import CHANNELS
from pipelines.metrics import METRICS, Period, parse_period

Location = tuple[str, int | None, str | None]  # (file or "file, sheet S", row or line, column or key)

LEVELS = ("company", "department", "team", "person")
KINDS = ("total", "level", "manual")
TASK_STATUSES = ("todo", "doing", "done", "blocked")
FILTER_DIMENSIONS = ("channel", "platform", "campaign", "region", "product")
MAX_OBJECTIVES_PER_OWNER = 4  # the article recommends 2-3
MAX_KRS_PER_OBJECTIVE = 5  # the article recommends 3-4
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Objective:
    id: str
    title: str
    owner: str | None
    level: str
    aligns_to: str | None
    position: int


@dataclass(frozen=True)
class KeyResult:
    id: str
    objective_id: str
    title: str
    owner: str | None
    metric: str | None
    kind: str
    filters: dict[str, list[str]]
    baseline: float | None
    target: float
    weight: float
    confidence: int | None
    approved_by: str | None
    revision_date: date | None
    position: int


@dataclass(frozen=True)
class CheckIn:
    kr_id: str
    date: date
    confidence: int
    note: str | None
    value: float | None


@dataclass(frozen=True)
class Task:
    kr_id: str
    title: str
    owner: str | None
    helpers: list[str]
    due: date | None
    status: str
    link: str | None
    position: int


@dataclass
class OkrDocument:
    cycle: Period
    source: str
    objectives: list[Objective]
    key_results: list[KeyResult]
    checkins: list[CheckIn]
    tasks: list[Task]
    warnings: list[str] = field(default_factory=list)


def read_document(path: Path, fiscal_start_month: int = 1, known_values: dict[str, set[str]] | None = None) -> OkrDocument:
    """Read and check an OKR file (``.yaml``/``.yml`` or an Excel workbook).

    Args:
        path: the file; it is only read.
        fiscal_start_month: how quarters are counted (okrfunnel.toml).
        known_values: per filter dimension, the values the warehouse holds; a filter value outside
            them is a problem (a KR that could never count anything). Channels are a closed list;
            a dimension without any data yet is not checked.

    Raises:
        OkrDefinitionError: every problem found, each with its file and line or cell.
        ConfigError: the file cannot be read at all.
    """
    raw, where = _read_raw(path)
    return _Checker(path, where, fiscal_start_month, known_values or {}).document(raw)


def read_checkin_rows(
    path: Path, rows: list[dict], where: dict[tuple, Location], kr_ids: set[str], cycle: Period
) -> list[CheckIn]:
    """Check check-ins that come on their own (CSV/Excel) against one cycle's KRs.

    Raises:
        OkrDefinitionError: every problem found.
    """
    checker = _Checker(path, where, 1, {})
    checkins = checker.checkins([(("checkins", k), row) for k, row in enumerate(rows)], kr_ids, cycle)
    checker.raise_problems()
    return checkins


def _read_raw(path: Path) -> tuple[object, dict[tuple, Location]]:
    if not path.is_file():
        raise ConfigError("OKR file not found", file=path, expected="a .yaml file or an .xlsx workbook")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from pipelines.okr_workbook import read_workbook

        return read_workbook(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise ConfigError("unknown OKR file type", file=path, value=path.suffix, expected="a .yaml/.yml file or an .xlsx workbook")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=path, expected="a YAML file saved as UTF-8") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            file=f"{path.name}, line {mark.line + 1}" if mark else path.name,
        ) from None
    where: dict[tuple, Location] = {}
    if node is not None:
        _locate(node, (), path.name, where)
    return raw, where


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but an impossible date (2026-02-30) or a key given twice in one
    mapping is an error at its line, not a traceback or a silently dropped value."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"not a date: {node.value} (expected YYYY-MM-DD)", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key_node.value!r} given twice in one mapping", key_node.start_mark)
            seen.add(key_node.value)
        return super().construct_mapping(node, deep)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _locate(node: yaml.Node, at: tuple, name: str, where: dict[tuple, Location]) -> None:
    """Record the line of every value of the YAML tree under the path ``safe_load`` gives it.
    A text file has lines, not rows: the line goes with the file name."""
    where.setdefault(at, (f"{name}, line {node.start_mark.line + 1}", None, at[-1] if at and isinstance(at[-1], str) else None))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (at + (key_node.value,))
            where[key] = (f"{name}, line {value_node.start_mark.line + 1}", None, key_node.value)
            _locate(value_node, key, name, where)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _locate(item, at + (i,), name, where)


class _Checker:
    """Turns the raw structure into an ``OkrDocument``, collecting problems instead of stopping."""

    def __init__(self, path: Path, where: dict[tuple, Location], fiscal_start_month: int, known_values: dict[str, set[str]]):
        self.path, self.where, self.fiscal = path, where, fiscal_start_month
        self.known_values = known_values
        self.problems: list[OkrfunnelError] = []
        self.warnings: list[str] = []

    # --- reporting ------------------------------------------------------------------------

    def problem(self, at: tuple, message: str, value=None, expected: str | None = None, hint: str | None = None) -> None:
        place = self._place(at)
        self.problems.append(ConfigError(
            message, file=place[0], row=place[1], column=place[2],
            value=None if value is None else str(value), expected=expected, hint=hint,
        ))

    def warn(self, at: tuple, message: str) -> None:
        file, row, column = self._place(at)
        self.warnings.append(ConfigError(message, file=file, row=row, column=column).one_line())

    def _describe(self, at: tuple) -> str:
        where, row, _ = self._place(at)
        return where if row is None else f"{where}, row {row}"

    def _place(self, at: tuple) -> Location:
        for cut in range(len(at), -1, -1):
            if at[:cut] in self.where:
                return self.where[at[:cut]]
        return (self.path.name, None, None)

    def raise_problems(self) -> None:
        if self.problems:
            raise OkrDefinitionError(
                f"{len(self.problems)} problems", file=self.path, details={"problems": self.problems}
            )

    # --- values ---------------------------------------------------------------------------

    def text(self, item: dict, key: str, at: tuple, required: bool = False) -> str | None:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(at, f"{key} is missing", expected="a value")
            return None
        if isinstance(value, (dict, list)):
            self.problem(at + (key,), f"{key} must be plain text", value=value)
            return None
        return str(value).strip()

    def given(self, item: dict, key: str, at: tuple, required: bool, expected: str):
        """The value under ``key``, or None when absent or empty (a problem if ``required``)."""
        value = item.get(key)
        if value is None or value == "":
            if required:
                self.problem(at, f"{key} is missing", expected=expected)
            return None
        return value

    def number(self, item: dict, key: str, at: tuple, required: bool = False) -> float | None:
        value = self.given(item, key, at, required, "a number")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(at + (key,), f"{key} is not a number", value=value, expected="a number such as 1000 or 0.25")
            return None
        return float(value)

    def day(self, item: dict, key: str, at: tuple, required: bool = False) -> date | None:
        value = self.given(item, key, at, required, "a date as YYYY-MM-DD")
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(at + (key,), f"{key} is not a date", value=value, expected="a date as YYYY-MM-DD")
            return None

    def confidence(self, item: dict, key: str, at: tuple, required: bool = False) -> int | None:
        value = self.number(item, key, at, required)
        if value is None:
            return None
        if value != int(value) or not 1 <= value <= 10:
            self.problem(at + (key,), "confidence outside 1-10", value=item.get(key), expected="a whole number from 1 to 10")
            return None
        return int(value)

    def choice(self, item: dict, key: str, at: tuple, allowed: tuple[str, ...], default: str | None) -> str | None:
        value = self.text(item, key, at)
        if value is None:
            return default
        if value.lower() not in allowed:
            self.problem(at + (key,), f"unknown {key}", value=value, expected=" | ".join(allowed))
            return default
        return value.lower()

    def items(self, raw: dict, key: str, at: tuple) -> list[tuple[tuple, dict]]:
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(at + (key,), f"{key} must be a list", expected=f"a list of {key} (lines starting with '-')")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((at + (key, i), item))
            else:
                self.problem(at + (key, i), f"an entry of {key} is not a mapping", value=item, expected="key: value pairs")
        return out

    # --- the document ---------------------------------------------------------------------

    def document(self, raw) -> OkrDocument:
        if not isinstance(raw, dict):
            raise OkrDefinitionError("the file holds no OKRs", file=self.path, expected="cycle, objectives, key_results (PRODUCT.md)")
        cycle_text = self.text(raw, "cycle", (), required=True)
        cycle = None
        if cycle_text is not None:
            try:
                cycle = parse_period(cycle_text, self.fiscal)
            except MetricError:
                self.problem(("cycle",), "not a cycle", value=cycle_text, expected="a period such as 2026-Q3")
        objectives, key_results = self.objectives(raw)
        kr_ids = {kr.id for kr in key_results}
        checkins = self.checkins(self.items(raw, "checkins", ()), kr_ids, cycle)
        tasks = self.tasks(raw, kr_ids)
        self.focus(objectives, key_results)
        self.raise_problems()
        return OkrDocument(cycle, str(self.path), objectives, key_results, checkins, tasks, self.warnings)

    def objectives(self, raw: dict) -> tuple[list[Objective], list[KeyResult]]:
        entries = self.items(raw, "objectives", ())
        if not entries and "objectives" not in raw:
            self.problem((), "no objectives", expected="an objectives: list")
        objectives, key_results = [], []
        seen_objectives: dict[str, tuple] = {}
        seen_krs: dict[str, tuple] = {}
        for position, (at, item) in enumerate(entries):
            oid = self.text(item, "id", at, required=True)
            title = self.text(item, "title", at, required=True)
            if oid is not None and oid in seen_objectives:
                self.problem(at + ("id",), "duplicate objective id", value=oid, expected="ids unique within the cycle",
                             hint=f"it is first used at {self._describe(seen_objectives[oid])}")
            elif oid is not None:
                seen_objectives[oid] = at
            objective = Objective(
                oid or "", title or "", self.text(item, "owner", at), self.choice(item, "level", at, LEVELS, "department"),
                self.text(item, "aligns_to", at), position,
            )
            objectives.append(objective)
            for kr_at, kr_item in self.items(item, "key_results", at):
                kr = self.key_result(kr_at, kr_item, objective.id, len(key_results))
                if kr.id and kr.id in seen_krs:
                    self.problem(kr_at + ("id",), "duplicate key result id", value=kr.id, expected="ids unique within the cycle",
                                 hint=f"it is first used at {self._describe(seen_krs[kr.id])}")
                elif kr.id:
                    seen_krs[kr.id] = kr_at
                key_results.append(kr)
        return objectives, key_results

    def key_result(self, at: tuple, item: dict, objective_id: str, position: int) -> KeyResult:
        kid = self.text(item, "id", at, required=True) or ""
        title = self.text(item, "title", at, required=True) or ""
        metric = self.text(item, "metric", at)
        kind = self.choice(item, "kind", at, KINDS, None)
        if metric is not None and metric not in METRICS:
            close = difflib.get_close_matches(metric, list(METRICS), n=1, cutoff=0.5)
            self.problem(at + ("metric",), "unknown metric", value=metric, expected=", ".join(METRICS),
                         hint=f"did you mean {close[0]}?" if close else None)
            metric = None
        elif metric is not None:
            kind = self.kind_for_metric(at, metric, kind)
        elif kind in (None, "manual"):
            kind = "manual"
        else:
            self.problem(at, f"a {kind} key result needs a metric", expected="metric: one of " + ", ".join(METRICS))
        if kind == "manual" and metric is not None:
            self.problem(at + ("kind",), "a manual key result has no metric", value=metric,
                         hint="remove the metric, or choose kind total or level")
        baseline = self.number(item, "baseline", at)
        target = self.number(item, "target", at, required=True)
        if kind == "level" and item.get("baseline") in (None, ""):
            self.problem(at, "baseline is missing", expected="a number: a level KR measures the way from baseline to target")
        if kind in ("level", "manual") and baseline is not None and target is not None and baseline == target:
            self.problem(at + ("target",), "target equals baseline", value=item.get("target"),
                         expected="a target different from the baseline: attainment is measured between them")
        if kind == "total" and target is not None and target <= 0:
            self.problem(at + ("target",), "a total target must be above 0", value=item.get("target"),
                         expected="how many (or how much) to reach in the cycle")
        weight = self.number(item, "weight", at)
        if weight is not None and weight <= 0:
            self.problem(at + ("weight",), "weight must be positive", value=item.get("weight"), expected="a number above 0")
        return KeyResult(
            kid, objective_id, title, self.text(item, "owner", at), metric, kind or "manual", self.filters(item, at),
            baseline, target if target is not None else 0.0, weight if weight and weight > 0 else 1.0,
            self.confidence(item, "confidence", at), self.text(item, "approved_by", at),
            self.day(item, "revision_date", at), position,
        )

    def kind_for_metric(self, at: tuple, metric: str, kind: str | None) -> str:
        additive = METRICS[metric].additive
        if kind is None:
            return "total" if additive else "level"
        if kind == "total" and not additive:
            self.problem(at + ("kind",), f"{metric} cannot be added up over the cycle", value=kind,
                         expected="kind level for a ratio or a stock")
        return kind

    def filters(self, item: dict, at: tuple) -> dict[str, list[str]]:
        raw = item.get("filters")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(at + ("filters",), "filters must be a mapping", value=raw, expected="{channel: [paid_search]}")
            return {}
        out: dict[str, list[str]] = {}
        for dim, values in raw.items():
            place = at + ("filters", dim)
            if dim not in FILTER_DIMENSIONS:
                self.problem(place, "unknown filter dimension", value=dim, expected=", ".join(FILTER_DIMENSIONS))
                continue
            values = values if isinstance(values, list) else [values]
            cleaned = [str(v).strip() for v in values if v is not None and str(v).strip()]
            if not cleaned:
                self.problem(place, f"filter {dim} has no values", expected="one or more values")
                continue
            for value in cleaned:
                self.filter_value(place, dim, value)
            out[dim] = cleaned
        return out

    def filter_value(self, at: tuple, dim: str, value: str) -> None:
        if dim == "channel":
            if value not in CHANNELS:
                close = difflib.get_close_matches(value, CHANNELS, n=1, cutoff=0.5)
                self.problem(at, "unknown channel", value=value, expected=", ".join(CHANNELS),
                             hint=f"did you mean {close[0]}?" if close else None)
        elif dim == "platform" and not re.fullmatch(r"[a-z0-9_]+", value):
            self.problem(at, "not a platform id", value=value, expected="a lowercase id such as google_ads or zhihu")
        elif self.known_values.get(dim) and value not in self.known_values[dim]:
            known = sorted(self.known_values[dim])
            close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
            self.problem(at, f"unknown {dim}: no data has it", value=value,
                         expected=f"one the warehouse holds: {', '.join(known[:12])}{' ...' if len(known) > 12 else ''}",
                         hint=f"did you mean {close[0]}?" if close else "load its data first, then the OKRs")

    def checkins(self, entries: list[tuple[tuple, dict]], kr_ids: set[str], cycle: Period | None) -> list[CheckIn]:
        out, seen = [], {}
        for at, item in entries:
            kr = self.text(item, "kr", at, required=True)
            day = self.day(item, "date", at, required=True)
            confidence = self.confidence(item, "confidence", at, required=True)
            value = self.number(item, "value", at)
            if kr is not None and kr not in kr_ids:
                close = difflib.get_close_matches(kr, sorted(kr_ids), n=1, cutoff=0.5)
                self.problem(at + ("kr",), "check-in for an unknown key result", value=kr,
                             expected=f"a KR id of cycle {cycle.label if cycle else '?'}", hint=f"did you mean {close[0]}?" if close else None)
            if day is not None and cycle is not None and not cycle.start <= day <= cycle.end:
                self.problem(at + ("date",), "check-in outside the cycle", value=day,
                             expected=f"a date from {cycle.start} to {cycle.end} ({cycle.label})")
            if kr is not None and day is not None:
                if (kr, day) in seen:
                    self.problem(at, "two check-ins for the same key result and day", value=f"{kr} {day}",
                                 hint=f"the other is at {self._describe(seen[(kr, day)])}")
                seen[(kr, day)] = at
            if kr is not None and day is not None and confidence is not None:
                out.append(CheckIn(kr, day, confidence, self.text(item, "note", at), value))
        return out

    def tasks(self, raw: dict, kr_ids: set[str]) -> list[Task]:
        out = []
        for position, (at, item) in enumerate(self.items(raw, "tasks", ())):
            kr = self.text(item, "kr", at, required=True)
            if kr is not None and kr not in kr_ids:
                self.problem(at + ("kr",), "task for an unknown key result", value=kr, expected="a KR id of this cycle")
            helpers = item.get("helpers") or []
            helpers = [str(h).strip() for h in (helpers if isinstance(helpers, list) else [helpers]) if str(h).strip()]
            out.append(Task(
                kr or "", self.text(item, "title", at, required=True) or "", self.text(item, "owner", at), helpers,
                self.day(item, "due", at), self.choice(item, "status", at, TASK_STATUSES, "todo"),
                self.text(item, "link", at), position,
            ))
        return out

    def focus(self, objectives: list[Objective], key_results: list[KeyResult]) -> None:
        """PRODUCT.md's focus check: warn, do not refuse."""
        per_owner: dict[str, int] = {}
        for objective in objectives:
            if objective.owner:
                per_owner[objective.owner] = per_owner.get(objective.owner, 0) + 1
        for owner, count in per_owner.items():
            if count > MAX_OBJECTIVES_PER_OWNER:
                self.warnings.append(
                    f"{self.path.name}: {owner} owns {count} objectives; more than {MAX_OBJECTIVES_PER_OWNER} "
                    "loses focus (the article recommends 2-3 objectives per owner)"
                )
        for objective in objectives:
            count = sum(1 for kr in key_results if kr.objective_id == objective.id)
            if count > MAX_KRS_PER_OBJECTIVE:
                self.warnings.append(
                    f"{self.path.name}: objective {objective.id} has {count} key results; more than "
                    f"{MAX_KRS_PER_OBJECTIVE} loses focus (the article recommends 3-4 per objective)"
                )


@dataclass(frozen=True)
class Score:
    subject_kind: str  # kr | person
    subject: str
    kind: str  # self | committee | values | review
    score: float
    note: str | None
    scored_by: str | None
    reason: str | None
    place: Location = (None, None, None)  # (file, row, column) where it was written, for messages


SCORE_KINDS = {"kr": ("self", "committee"), "person": ("values", "review")}
REVIEW_SECTIONS = ("lessons", "next_steps")


@dataclass(frozen=True)
class ReviewNote:
    section: str  # lessons | next_steps
    text: str
    written_by: str | None


@dataclass(frozen=True)
class ScoresDocument:
    cycle: str
    scores: list[Score]
    notes: list[ReviewNote]  # the quarter's lessons and next steps, in the file's order
    sections: tuple[str, ...] = ()  # the review sections given (possibly empty): each replaces the stored one


def read_scores(path: Path, kr_ids_of: Callable[[str], set[str] | None], fiscal_start_month: int = 1) -> ScoresDocument:
    """A scores file: ``cycle``, ``scores`` (kr, self, committee, note, by, reason), ``people``
    (name, values, review, by, reason), every score 0-10, and the review's ``lessons`` and
    ``next_steps`` (text, or text and by). A workbook gives them on its Scores, People and Review
    sheets, with the cycle of its Objectives sheet.

    Args:
        kr_ids_of: the KR ids of a cycle in the warehouse, None when the cycle has no OKRs.

    Raises:
        OkrDefinitionError: every problem, each at its line or cell.
    """
    if path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES:
        from pipelines.okr_workbook import read_score_sheets

        raw, where = read_score_sheets(path)
    else:
        raw, where = _read_raw(path)
    checker = _Checker(path, where, fiscal_start_month, {})
    if not isinstance(raw, dict):
        raise OkrDefinitionError("the file holds no scores", file=path, expected="cycle, scores, people")
    label = checker.text(raw, "cycle", (), required=True)
    kr_ids = set()
    if label is not None:
        try:
            label = parse_period(label, fiscal_start_month).label
        except MetricError:
            checker.problem(("cycle",), "not a cycle", value=label, expected="a period such as 2026-Q3")
        found = kr_ids_of(label)
        if found is None:
            checker.problem(("cycle",), "no OKRs loaded for this cycle", value=label, hint="load the cycle's OKRs first")
        kr_ids = found or set()
    scores = []
    for subject_kind, key, name_key in (("kr", "scores", "kr"), ("person", "people", "name")):
        for at, item in checker.items(raw, key, ()):
            subject = checker.text(item, name_key, at, required=True)
            if subject_kind == "kr" and subject is not None and kr_ids and subject not in kr_ids:
                checker.problem(at + (name_key,), "score for an unknown key result", value=subject,
                                expected=f"a KR id of {label}: {', '.join(sorted(kr_ids))}")
            given = [k for k in SCORE_KINDS[subject_kind] if item.get(k) not in (None, "")]
            if not given:
                checker.problem(at, "no score given", expected=" and/or ".join(SCORE_KINDS[subject_kind]))
            for kind in given:
                value = item[kind]
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
                    checker.problem(at + (kind,), "score outside 0-10" if isinstance(value, int | float) else "score is not a number",
                                    value=value, expected="a score from 0 to 10")
                elif subject is not None:
                    scores.append(Score(subject_kind, subject, kind, float(value), checker.text(item, "note", at),
                                        checker.text(item, "by", at), checker.text(item, "reason", at),
                                        checker._place(at)))
    notes = []
    for section in REVIEW_SECTIONS:
        entries = raw.get(section)
        if entries is not None and not isinstance(entries, list):
            checker.problem((section,), f"{section} must be a list", expected="lines starting with '-'")
            continue
        for i, entry in enumerate(entries or []):
            item = {"text": entry} if isinstance(entry, str) else entry
            if not isinstance(item, dict):
                checker.problem((section, i), f"an entry of {section} is neither text nor a mapping", value=entry,
                                expected="text, or text and by")
            elif (text := checker.text(item, "text", (section, i), required=True)) is not None:
                notes.append(ReviewNote(section, text, checker.text(item, "by", (section, i))))
    if not scores and not notes:
        checker.problem((), "the file holds no scores and no review notes",
                        expected="scores, people, lessons or next_steps (sheets Scores, People, Review)")
    checker.raise_problems()
    return ScoresDocument(label, scores, notes, tuple(section for section in REVIEW_SECTIONS if section in raw))
