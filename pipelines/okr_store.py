"""OKR definitions in the warehouse: loading a cycle, check-ins on their own, closing a cycle.

A re-load replaces a cycle's objectives, key results and tasks, but a changed target or baseline
of a KR that already existed becomes a row of ``kr_revision`` (old, new, date, who approved), and
check-ins are only ever added to. Everything a load writes goes in one transaction of a
``warehouse.writer`` copy, so a failed load leaves the warehouse as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipelines.errors import ConfigError, OkrDefinitionError
from pipelines.metrics import Period
from pipelines.okr_file import CheckIn, OkrDocument, read_checkin_rows
from pipelines.warehouse import Writer

REVISED_FIELDS = ("target", "baseline")


@dataclass
class LoadOutcome:
    cycle: str
    objectives: int
    key_results: int
    checkins: int
    tasks: int
    revisions: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = (f"{self.cycle}: {self.objectives} objectives, {self.key_results} key results, "
                f"{self.checkins} check-ins, {self.tasks} tasks loaded")
        if self.revisions:
            text += f"; {len(self.revisions)} revisions recorded: " + ", ".join(
                f"{r['kr_id']} {r['field']} {_shown(r['old_value'])} -> {_shown(r['new_value'])}" for r in self.revisions
            )
        return text


def _shown(value: float | None) -> str:
    return "(none)" if value is None else f"{value:g}"


def known_filter_values(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The platform, campaign, region and product values the warehouse's facts hold."""
    out: dict[str, set[str]] = {}
    for dim in ("platform", "campaign", "region", "product"):
        sql = f"SELECT DISTINCT {dim} FROM funnel_fact UNION SELECT DISTINCT {dim} FROM channel_daily"
        if dim == "platform":
            sql += " UNION SELECT DISTINCT platform FROM follower_daily"
        out[dim] = {r[0] for r in con.execute(sql).fetchall() if r[0] is not None}
    return out


def load_document(w: Writer, doc: OkrDocument, today: date | None = None) -> LoadOutcome:
    """Replace the definitions of ``doc.cycle`` and add its check-ins.

    Raises:
        OkrDefinitionError: the cycle is closed.
    """
    con, cycle = w.con, doc.cycle
    _refuse_closed(con, cycle.label, doc.source)
    now = datetime.now()  # to the microsecond: it orders revisions made on the same day
    con.execute("BEGIN")
    try:
        revisions = _revisions(con, doc, today or date.today(), now)
        con.execute(
            """INSERT OR REPLACE INTO okr_cycle (cycle, start_date, end_date, closed_at, loaded_at, source_file)
               VALUES (?, ?, ?, NULL, ?, ?)""",
            [cycle.label, cycle.start, cycle.end, now, doc.source],
        )
        for table in ("objective", "key_result", "key_task"):
            con.execute(f"DELETE FROM {table} WHERE cycle = ?", [cycle.label])
        con.executemany(
            "INSERT INTO objective VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[cycle.label, o.id, o.title, o.owner, o.level, o.aligns_to, o.position] for o in doc.objectives],
        )
        con.executemany(
            "INSERT INTO key_result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[cycle.label, k.id, k.objective_id, k.title, k.owner, k.metric, k.kind, json.dumps(k.filters, ensure_ascii=False),
              k.baseline, k.target, k.weight, k.confidence, k.position] for k in doc.key_results],
        )
        if doc.tasks:
            con.executemany(
                "INSERT INTO key_task VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[cycle.label, t.kr_id, t.title, t.owner, t.helpers, t.due, t.status, t.link, t.position] for t in doc.tasks],
            )
        _write_checkins(con, cycle.label, doc.checkins, doc.source, now)
        if revisions:
            con.executemany(
                "INSERT INTO kr_revision VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[cycle.label, r["kr_id"], r["field"], r["old_value"], r["new_value"], r["revision_date"],
                  r["approved_by"], doc.source, now] for r in revisions],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    w.changed = True
    return LoadOutcome(cycle.label, len(doc.objectives), len(doc.key_results), len(doc.checkins), len(doc.tasks),
                       revisions, doc.warnings)


def load_checkins(w: Writer, path: Path, rows: list[dict], where: dict, cycle_label: str | None) -> tuple[str, int]:
    """Add check-ins that come on their own. The cycle is ``cycle_label``, or the one open cycle
    whose dates hold every check-in.

    Raises:
        OkrDefinitionError: unknown KR, a date outside the cycle, a bad confidence, or no cycle fits.
    """
    con = w.con
    cycle = _cycle_for(con, path, rows, cycle_label)
    _refuse_closed(con, cycle.label, str(path))
    kr_ids = {r[0] for r in con.execute("SELECT kr_id FROM key_result WHERE cycle = ?", [cycle.label]).fetchall()}
    checkins = read_checkin_rows(path, rows, where, kr_ids, cycle)
    con.execute("BEGIN")
    try:
        _write_checkins(con, cycle.label, checkins, str(path), datetime.now().replace(microsecond=0))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    w.changed = True
    return cycle.label, len(checkins)


def close_cycle(w: Writer, cycle: str, reopen: bool = False) -> None:
    """Mark a cycle closed (its outcomes count for calibration; nothing more loads into it), or
    open it again.

    Raises:
        ConfigError: no such cycle.
    """
    if not w.con.execute("SELECT 1 FROM okr_cycle WHERE cycle = ?", [cycle]).fetchone():
        raise ConfigError("no OKRs loaded for this cycle", column="CYCLE", value=cycle, hint="load them with `okrfunnel okrs load FILE`")
    w.con.execute("UPDATE okr_cycle SET closed_at = CASE WHEN ? THEN NULL ELSE now()::TIMESTAMP END WHERE cycle = ?", [reopen, cycle])
    w.changed = True


def _refuse_closed(con: duckdb.DuckDBPyConnection, cycle: str, source: str) -> None:
    closed = con.execute("SELECT closed_at FROM okr_cycle WHERE cycle = ?", [cycle]).fetchone()
    if closed and closed[0] is not None:
        raise OkrDefinitionError(
            f"cycle {cycle} was closed on {closed[0]:%Y-%m-%d}; its OKRs no longer change", file=source,
            hint=f"reopen it first with `okrfunnel okrs close {cycle} --reopen` if this is a correction",
        )


def _revisions(con: duckdb.DuckDBPyConnection, doc: OkrDocument, today: date, now: datetime) -> list[dict]:
    """Changes of target or baseline against what was last in force for each KR: its stored row,
    or for a KR removed by an earlier load and now back, its last recorded value. A KR that this
    load removes is recorded too (new value empty), so its last target is never lost.

    Raises:
        OkrDefinitionError: a ``revision_date`` that is not after the KR's previous revision of
            that field (a date left in the file from an earlier change would backdate this one).
    """
    label = doc.cycle.label
    stored = {r[0]: dict(zip(REVISED_FIELDS, r[1:])) for r in con.execute(
        "SELECT kr_id, target, baseline FROM key_result WHERE cycle = ?", [label]).fetchall()}
    last = {(r[0], r[1]): (r[2], r[3]) for r in con.execute(
        """SELECT kr_id, field, arg_max_null(new_value, (revision_date, recorded_at)), max(revision_date)
           FROM kr_revision WHERE cycle = ? GROUP BY ALL""", [label]).fetchall()}
    out, problems = [], []
    for kr in doc.key_results:
        for name in REVISED_FIELDS:
            if kr.id in stored:
                old = stored[kr.id][name]
            elif (kr.id, name) in last:
                old = last[(kr.id, name)][0]
            else:
                continue
            new = getattr(kr, name)
            if old == new:
                continue
            when = kr.revision_date or today
            previous = last.get((kr.id, name), (None, None))[1]
            if kr.revision_date is not None and previous is not None and kr.revision_date <= previous:
                problems.append(ConfigError(
                    f"{kr.id}: {name} changed with revision_date {kr.revision_date}, not after its last revision ({previous})",
                    file=doc.source, column="revision_date",
                    hint="set revision_date to the day this change takes effect, or remove it to use today",
                ))
            out.append({"kr_id": kr.id, "field": name, "old_value": old, "new_value": new,
                        "revision_date": when, "approved_by": kr.approved_by})
    kept = {kr.id for kr in doc.key_results}
    for kr_id, values in stored.items():
        if kr_id not in kept:
            out.extend({"kr_id": kr_id, "field": name, "old_value": values[name], "new_value": None,
                        "revision_date": today, "approved_by": None} for name in REVISED_FIELDS if values[name] is not None)
    if problems:
        raise OkrDefinitionError(f"{len(problems)} problems", file=doc.source, details={"problems": problems})
    return out


def _write_checkins(con: duckdb.DuckDBPyConnection, cycle: str, checkins: list[CheckIn], source: str, now: datetime) -> None:
    if not checkins:
        return
    rows = [[cycle, c.kr_id, c.date, c.confidence, c.note, c.value, source, now] for c in checkins]
    con.executemany("DELETE FROM checkin WHERE cycle = ? AND kr_id = ? AND date = ?", [r[:3] for r in rows])
    con.executemany("INSERT INTO checkin VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _cycle_for(con: duckdb.DuckDBPyConnection, path: Path, rows: list[dict], label: str | None) -> Period:
    cycles = [Period(r[0], r[1], r[2], "cycle") for r in con.execute(
        "SELECT cycle, start_date, end_date FROM okr_cycle ORDER BY start_date").fetchall()]
    if label is not None:
        for cycle in cycles:
            if cycle.label == label:
                return cycle
        raise ConfigError("no OKRs loaded for this cycle", column="--cycle", value=label,
                          expected=", ".join(c.label for c in cycles) or "a cycle loaded with `okrfunnel okrs load`")
    days = [r.get("date") for r in rows if isinstance(r.get("date"), date)]
    fitting = [c for c in cycles if days and all(c.start <= d <= c.end for d in days)]
    if len(fitting) != 1:
        raise ConfigError(
            "cannot tell which cycle these check-ins belong to", file=path,
            expected="check-in dates within one loaded cycle", hint="name it with --cycle",
        )
    return fitting[0]


def revisions(con: duckdb.DuckDBPyConnection, cycle: str | None = None) -> list[dict]:
    """Every recorded change of a KR's target or baseline, oldest first (the monthly review's list)."""
    cur = con.execute(
        """SELECT r.cycle, r.kr_id, k.title AS kr, r.field, r.old_value, r.new_value, r.revision_date,
                  r.approved_by, r.source_file
           FROM kr_revision r LEFT JOIN key_result k USING (cycle, kr_id)
           WHERE $cycle IS NULL OR r.cycle = $cycle
           ORDER BY r.revision_date, r.recorded_at, r.kr_id, r.field""",
        {"cycle": cycle},
    )
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r)) for r in cur.fetchall()]


def tasks(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    """The cycle's key tasks in file order: KR, title, owner, helpers, due, status, link."""
    cur = con.execute(
        """SELECT kr_id, title, owner, helpers, due, status, link FROM key_task
           WHERE cycle = ? ORDER BY position""", [cycle])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r)) for r in cur.fetchall()]
