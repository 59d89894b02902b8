"""Quarter-end scores (PRODUCT.md "Quarter-end evaluation"): a data-suggested score per KR from
its attainment, the self and committee scores, the final score, the objective, owner and
department roll-ups, and each person's performance score.

Scores are history (``score_entry``): the newest entry per KR or person and kind is in force; a
closed cycle's scores change only with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.config import EvaluationSettings, Settings
from pipelines.errors import ConfigError, OkrDefinitionError
from pipelines.okr_eval import evaluate, get_cycle
from pipelines.okr_file import (
    REVIEW_SECTIONS,
    SCORE_KINDS,
    Score,
    ScoresDocument,
    read_scores,
)
from pipelines.warehouse import Writer

OKR_WEIGHT_RANGE = (0.70, 0.80)  # the article: the OKR score is 70-80% of the performance review
COLUMNS = ("level", "cycle", "objective_id", "kr_id", "kr", "owner", "person", "weight", "attainment",
           "suggested", "self", "committee", "final", "note", "score", "krs_scored", "krs_total", "values", "review",
           "performance")


def suggested_score(attainment: float | None, evaluation: EvaluationSettings) -> float | None:
    """The score of the first band the attainment reaches; below every band, the lowest band's.

    >>> suggested_score(0.87, EvaluationSettings()), suggested_score(1.3, EvaluationSettings())
    (8.0, 10.0)
    >>> suggested_score(-0.4, EvaluationSettings()), suggested_score(None, EvaluationSettings())
    (0.0, None)
    """
    if attainment is None:
        return None
    for lowest, score in evaluation.bands:
        if attainment >= lowest:
            return float(score)
    return float(evaluation.bands[-1][1])


def weight_warning(evaluation: EvaluationSettings) -> str | None:
    low, high = OKR_WEIGHT_RANGE
    if not low <= evaluation.okr_weight <= high:
        return (f"okr_weight {evaluation.okr_weight:g} is outside {low:g}-{high:g}: the method puts the OKR "
                "score at 70-80% of the performance review")
    return None


@dataclass(frozen=True)
class Recorded:
    cycle: str
    count: int  # scores added
    warnings: list[str]


def load_scores(w: Writer, path: Path, fiscal_start_month: int = 1, recorded_by: str | None = None) -> Recorded:
    """Add the scores and review notes of a file (YAML or workbook); see ``record``.

    Raises:
        OkrDefinitionError: a problem in the file, or a closed cycle's score changed without a reason.
    """
    con = w.con

    def kr_ids_of(cycle: str) -> set[str] | None:
        if not con.execute("SELECT 1 FROM okr_cycle WHERE cycle = ?", [cycle]).fetchone():
            return None
        return {r[0] for r in con.execute("SELECT kr_id FROM key_result WHERE cycle = ?", [cycle]).fetchall()}

    return record(w, read_scores(path, kr_ids_of, fiscal_start_month), str(path), recorded_by)


def record(w: Writer, document: ScoresDocument, source: str, recorded_by: str | None = None) -> Recorded:
    """Add scores as history. A score whose value and note equal the ones in force adds nothing; a
    score without a note keeps the note in force; a score without ``by`` is recorded as given by
    ``recorded_by`` (who loaded it: scores are performance data and need an author). A section of
    review notes given replaces that section (a note's author only when the file names one).

    Both the scores file and the Evaluation page come through here, so both keep the same rules.

    Raises:
        OkrDefinitionError: a closed cycle's score changed without a reason, each named at its row
            (nothing is written).
    """
    con, cycle = w.con, document.cycle
    closed = con.execute("SELECT closed_at IS NOT NULL FROM okr_cycle WHERE cycle = ?", [cycle]).fetchone()[0]
    current = {(r[0], r[1], r[2]): (r[3], r[4]) for r in _current(con, cycle)}
    changes = []  # (score, the note it carries, the score and note in force)
    for given in document.scores:
        old_score, old_note = current.get((given.subject_kind, given.subject, given.kind), (None, None))
        note = given.note if given.note is not None else old_note
        if (given.score, note) != (old_score, old_note):
            changes.append((given, note, old_score))
    if closed and (missing := [c for c in changes if not c[0].reason]):
        raise OkrDefinitionError("scores of a closed cycle changed without a reason", details={"problems": [
            ConfigError(f"{given.subject} {given.kind} {_change(old_score, given.score)}: {cycle} is closed",
                        file=given.place[0], row=given.place[1], column="reason", expected="a reason for the change")
            for given, _, old_score in missing]})
    now = datetime.now()
    if changes:
        con.executemany("INSERT INTO score_entry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            [cycle, given.subject_kind, given.subject, given.kind, given.score, note, given.scored_by or recorded_by,
             now, given.reason, source] for given, note, _ in changes])
        w.changed = True
    for section in document.sections:
        con.execute("DELETE FROM review_note WHERE cycle = ? AND section = ?", [cycle, section])
        rows = [[cycle, section, position, n.text, n.written_by, now, source]
                for position, n in enumerate(n for n in document.notes if n.section == section)]
        if rows:
            con.executemany("INSERT INTO review_note VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        w.changed = True
    return Recorded(cycle, len(changes), _strangers(con, document))


def _change(old: float | None, new: float) -> str:
    """What a change does, for the closed-cycle message.

    >>> _change(4.0, 5.0), _change(None, 9.0), _change(7.0, 7.0)
    ('score 4 -> 5', 'score (none) -> 9', 'note changed')
    """
    if old == new:
        return "note changed"
    return f"score {'(none)' if old is None else f'{old:g}'} -> {new:g}"


def _strangers(con: duckdb.DuckDBPyConnection, document: ScoresDocument) -> list[str]:
    """People scored who own nothing in the cycle: most often a name written two ways (王方 / 王芳)."""
    owners = {name for (name,) in con.execute(
        """SELECT owner FROM key_result WHERE cycle = ? AND owner IS NOT NULL
           UNION SELECT owner FROM objective WHERE cycle = ? AND owner IS NOT NULL""",
        [document.cycle, document.cycle]).fetchall()}
    strangers = dict.fromkeys(s.subject for s in document.scores if s.subject_kind == "person" and s.subject not in owners)
    return [f"{name} owns no key result or objective in {document.cycle}: their performance has no OKR score "
            f"(owners: {', '.join(sorted(owners))})" for name in strangers]


def scores_from_table(cycle: str, krs: list[dict], people: list[dict], scored_by: str | None) -> ScoresDocument:
    """The Evaluation page's tables as a scores document: ``krs`` rows (kr_id, self, committee,
    note, reason), ``people`` rows (person, values, review, reason); an empty cell gives no score.

    Raises:
        OkrDefinitionError: every score outside 0-10 or not a number, named by table, row and column.
    """
    problems, scores = [], []
    for table, rows, subject_kind, subject_key in (("key results", krs, "kr", "kr_id"), ("people", people, "person", "person")):
        for number, row in enumerate(rows, start=1):
            for kind in SCORE_KINDS[subject_kind]:
                value = row.get(kind)
                if not _given(value):
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
                    problems.append(ConfigError("score outside 0-10", file=table, row=number, column=kind,
                                                value=str(value), expected="a score from 0 to 10"))
                    continue
                # One note per row: the committee's when the row has a committee score, else the self score's.
                noted = "committee" if subject_kind == "kr" and _given(row.get("committee")) else SCORE_KINDS[subject_kind][0]
                scores.append(Score(subject_kind, row[subject_key], kind, float(value),
                                    _text(row.get("note")) if kind == noted else None, scored_by,
                                    _text(row.get("reason")), (table, number, kind)))
    if problems:
        raise OkrDefinitionError(f"{len(problems)} problems", details={"problems": problems})
    return ScoresDocument(cycle, scores, [])


def _given(value) -> bool:
    return not (value is None or (isinstance(value, float) and math.isnan(value)) or value == "")


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def history(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    """Every score entered for the cycle, newest first: who, when, and why it changed."""
    rows = con.execute(
        """SELECT subject, kind, score, note, scored_by, scored_at, reason, source_file
           FROM score_entry WHERE cycle = ? ORDER BY scored_at DESC, subject, kind""", [cycle]).fetchall()
    keys = ("subject", "kind", "score", "note", "scored_by", "scored_at", "reason", "source")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def review_notes(con: duckdb.DuckDBPyConnection, cycle: str) -> dict[str, list[dict]]:
    """The cycle's lessons and next steps: ``{"lessons": [{text, by}], "next_steps": [...]}``."""
    notes: dict[str, list[dict]] = {section: [] for section in REVIEW_SECTIONS}
    for section, text, by in con.execute(
            "SELECT section, text, written_by FROM review_note WHERE cycle = ? ORDER BY section, position", [cycle]).fetchall():
        notes[section].append({"text": text, "by": by})
    return notes


def _current(con: duckdb.DuckDBPyConnection, cycle: str) -> list[tuple]:
    return con.execute(
        """SELECT subject_kind, subject, kind, arg_max(score, scored_at), arg_max(note, scored_at)
           FROM score_entry WHERE cycle = ? GROUP BY ALL""", [cycle]).fetchall()


def scores(con: duckdb.DuckDBPyConnection, cycle_label: str, settings: Settings | None = None) -> list[dict]:
    """One row per KR (level ``kr``), then per objective, KR owner, the department and each person
    (``performance``): flat rows with the keys of ``COLUMNS``. Roll-ups are weighted means of the
    final scores (committee, else self) of the KRs that have one."""
    settings = settings or Settings()
    cycle = get_cycle(con, cycle_label)
    current = {(k, s, kind): (score, note) for k, s, kind, score, note in _current(con, cycle.label)}
    rows = []
    for kr in evaluate(con, cycle.label, cycle.end if cycle.closed else None, settings):
        own, committee = (current.get(("kr", kr["kr_id"], k), (None, None)) for k in ("self", "committee"))
        final = committee[0] if committee[0] is not None else own[0]
        rows.append({
            "level": "kr", "cycle": cycle.label, "objective_id": kr["objective_id"], "kr_id": kr["kr_id"],
            "kr": kr["kr"], "owner": kr["owner"], "weight": kr["weight"], "attainment": kr["attainment"],
            "suggested": suggested_score(kr["attainment"], settings.evaluation),
            "self": own[0], "committee": committee[0], "final": final, "note": committee[1] or own[1],
        })
    krs = list(rows)
    objectives = dict.fromkeys(r["objective_id"] for r in krs)
    rows += [_roll_up("objective", cycle.label, [r for r in krs if r["objective_id"] == o], objective_id=o) for o in objectives]
    owners = sorted({r["owner"] for r in krs if r["owner"]})
    by_owner = {o: _roll_up("owner", cycle.label, [r for r in krs if r["owner"] == o], owner=o) for o in owners}
    rows += list(by_owner.values())
    rows.append(_roll_up("department", cycle.label, krs))
    people = sorted(set(owners) | {s for (k, s, _) in current if k == "person"})
    evaluation = settings.evaluation
    for person in people:
        okr = by_owner[person]["exact"] if person in by_owner else None
        values, review = (current.get(("person", person, k), (None, None))[0] for k in ("values", "review"))
        parts = (okr, values, review)
        performance = None if None in parts else round(
            okr * evaluation.okr_weight + values * evaluation.values_weight + review * evaluation.review_weight, 2)
        rows.append({"level": "person", "cycle": cycle.label, "person": person,
                     "score": None if okr is None else round(okr, 2), "values": values,
                     "review": review, "performance": performance})
    return [{c: r.get(c) for c in COLUMNS} for r in rows]


def _roll_up(level: str, cycle: str, krs: list[dict], **keys) -> dict:
    """The weighted mean of the final scores given, unrounded in ``exact`` (performance weighs it:
    rounding twice would move a person's score by a hundredth)."""
    scored = [r for r in krs if r["final"] is not None]
    weight = sum(r["weight"] for r in scored)
    exact = sum(r["final"] * r["weight"] for r in scored) / weight if weight else None
    return {"level": level, "cycle": cycle, **keys, "weight": sum(r["weight"] for r in krs),
            "score": None if exact is None else round(exact, 2), "exact": exact,
            "krs_scored": len(scored), "krs_total": len(krs)}
