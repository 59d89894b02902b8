"""Confidence drift: every check-in against the one before and the first, the flags a CMO
watches (PRODUCT.md "Confidence drift"), and calibration: how well mid-cycle confidence
predicted the outcome of closed cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

DROP_POINTS = 2  # a fall of this many points in one check-in is flagged
OVERCONFIDENT_AT = 7
UNDERCONFIDENT_AT = 3


@dataclass(frozen=True)
class CheckInRow:
    kr_id: str
    date: date
    confidence: int
    note: str | None
    value: float | None


def load_checkins(con: duckdb.DuckDBPyConnection, cycle: str, up_to: date) -> list[CheckInRow]:
    """The cycle's check-ins made on or before ``up_to``, per KR in date order."""
    return [CheckInRow(*r) for r in con.execute(
        """SELECT kr_id, date, confidence, note, value FROM checkin
           WHERE cycle = ? AND date <= ? ORDER BY kr_id, date""", [cycle, up_to]).fetchall()]


def current_flags(status: str, mine: list[CheckInRow], cycle_start: date, as_of: date, stale_days: int) -> list[str]:
    """A KR's flags as of a day: ``stale`` (no check-in for more than ``stale_days`` days, counted
    from the cycle's start when there was none yet), ``overconfident`` (7+ while off track),
    ``underconfident`` (3 or less while on track or achieved).

    >>> c = [CheckInRow("KR1", date(2026, 7, 6), 8, None, None)]
    >>> current_flags("off_track", c, date(2026, 7, 1), date(2026, 7, 21), 14)
    ['stale', 'overconfident']
    """
    flags = []
    last = mine[-1].date if mine else cycle_start
    if (as_of - last).days > stale_days:
        flags.append("stale")
    if mine and mine[-1].confidence >= OVERCONFIDENT_AT and status == "off_track":
        flags.append("overconfident")
    if mine and mine[-1].confidence <= UNDERCONFIDENT_AT and status in ("on_track", "achieved"):
        flags.append("underconfident")
    return flags


def drift(con: duckdb.DuckDBPyConnection, cycle: str, up_to: date) -> list[dict]:
    """One row per check-in: change since the previous one and since the start (the KR's initial
    confidence when it was set, else its first check-in), and ``drop`` where it fell 2+ points."""
    starts = dict(con.execute("SELECT kr_id, confidence_start FROM key_result WHERE cycle = ?", [cycle]).fetchall())
    order = [r[0] for r in con.execute(
        """SELECT k.kr_id FROM key_result k JOIN objective o USING (cycle, objective_id)
           WHERE k.cycle = ? ORDER BY o.position, k.position""", [cycle]).fetchall()]
    by_kr: dict[str, list[CheckInRow]] = {}
    for row in load_checkins(con, cycle, up_to):
        if row.kr_id in starts:  # check-ins of a KR since removed from the file stay stored, unshown
            by_kr.setdefault(row.kr_id, []).append(row)
    rows = []
    for kr_id in order:
        mine = by_kr.get(kr_id, [])
        start = starts[kr_id] if starts[kr_id] is not None else (mine[0].confidence if mine else None)
        previous = starts[kr_id]
        for c in mine:
            change_prev = None if previous is None else c.confidence - previous
            rows.append({
                "cycle": cycle, "kr_id": kr_id, "date": c.date, "confidence": c.confidence,
                "change_prev": change_prev, "change_start": c.confidence - start,
                "flags": "drop" if change_prev is not None and change_prev <= -DROP_POINTS else "",
                "note": c.note,
            })
            previous = c.confidence
    return rows


def calibration(con: duckdb.DuckDBPyConnection, settings=None) -> list[dict]:
    """How well confidence at mid-cycle predicted reaching the target, over closed cycles.

    Per KR with a confidence by the cycle's middle day: p = confidence / 10, outcome 1 when the
    KR's attainment at the cycle's end was 1 or more. Brier score = mean (p - outcome)^2: 0 is
    perfect, 0.25 is what always saying 5 earns. One row per owner, then ``(team)``.
    """
    from pipelines.okr_eval import cycles, evaluate

    pairs: list[tuple[str, float, int]] = []
    for cycle in cycles(con):
        if not cycle.closed:
            continue
        middle = cycle.start + timedelta(days=(cycle.days - 1) // 2)
        checkins = load_checkins(con, cycle.label, middle)
        initial = dict(con.execute("SELECT kr_id, confidence_start FROM key_result WHERE cycle = ?", [cycle.label]).fetchall())
        for kr in evaluate(con, cycle.label, cycle.end, settings):
            mine = [c for c in checkins if c.kr_id == kr["kr_id"]]
            confidence = mine[-1].confidence if mine else initial[kr["kr_id"]]
            if confidence is None or kr["attainment"] is None:
                continue
            pairs.append((kr["owner"] or "(no owner)", confidence / 10, int(kr["attainment"] >= 1)))
    rows = []
    for owner in [*sorted({o for o, _, _ in pairs}), "(team)"]:
        mine = [(p, o) for who, p, o in pairs if owner in ("(team)", who)]
        if not mine:
            continue
        rows.append({
            "owner": owner, "key_results": len(mine),
            "brier": round(sum((p - o) ** 2 for p, o in mine) / len(mine), 4),
            "mean_confidence": round(10 * sum(p for p, _ in mine) / len(mine), 2),
            "hit_rate": round(sum(o for _, o in mine) / len(mine), 4),
        })
    return rows
