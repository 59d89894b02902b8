"""OKR definitions in the warehouse: loading a cycle, check-ins on their own, closing a cycle.

A re-load replaces a cycle's objectives and key results, but a changed target or baseline of a KR
that already existed becomes a row of ``kr_revision`` (old, new, date, who approved), and
check-ins are only ever added to. Key tasks keep their ids: a re-load applies what the file
changed since the previous load and keeps what the Week page changed (``_merge_file_tasks``);
every change of a task is a row of ``task_change``. Everything a load writes goes in one transaction of a
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
from pipelines.okr_file import (
    TASK_STATUSES,
    CheckIn,
    OkrDocument,
    Task,
    read_checkin_rows,
)
from pipelines.okr_week import TASK_FIELDS, monday, needs_reason, plan_locked
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
    today = today or date.today()
    con.execute("BEGIN")
    try:
        revisions = _revisions(con, doc, today, now)
        con.execute(
            """INSERT OR REPLACE INTO okr_cycle (cycle, start_date, end_date, closed_at, loaded_at, source_file)
               VALUES (?, ?, ?, NULL, ?, ?)""",
            [cycle.label, cycle.start, cycle.end, now, doc.source],
        )
        for table in ("objective", "key_result"):
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
        _merge_file_tasks(con, cycle.label, doc.tasks, doc.source, today, now)
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


def load_checkins(w: Writer, path: Path, rows: list[dict], where: dict, cycle_label: str | None,
                  by: str | None = None) -> tuple[str, int]:
    """Add check-ins that come on their own. The cycle is ``cycle_label``, or the one open cycle
    whose dates hold every check-in; ``by`` is who entered them on the Week page.

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
        _write_checkins(con, cycle.label, checkins, str(path), datetime.now().replace(microsecond=0), by)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    w.changed = True
    return cycle.label, len(checkins)


def close_cycle(w: Writer, cycle: str, reopen: bool = False, *, by: str | None = None, reason: str | None = None,
                early: bool = False, today: date | None = None) -> None:
    """Close a cycle (its outcomes count for calibration, nothing more loads into it, and its
    scores change only with a reason), or open it again; either is kept in ``cycle_event``.

    Args:
        by: who does it. reason: why; required to reopen (it lifts the scores' lock).
        early: close before the cycle's last day (its KRs are then judged on that last day with the
            data there is); without it that is refused, as a likely mistake.

    Raises:
        ConfigError: no such cycle, a reopening without a reason, or an early close without ``early``.
    """
    found = w.con.execute("SELECT end_date, closed_at IS NOT NULL FROM okr_cycle WHERE cycle = ?", [cycle]).fetchone()
    if not found:
        raise ConfigError("no OKRs loaded for this cycle", column="CYCLE", value=cycle, hint="load them with `okrfunnel okrs load FILE`")
    end, closed = found
    if reopen and not (reason or "").strip():
        raise ConfigError(f"reopening {cycle} needs a reason", column="--reason",
                          expected="why the closed cycle must change (kept with its scores' history)")
    if not reopen and not closed and not early and (today or date.today()) <= end:
        raise ConfigError(f"{cycle} runs to {end}: closing it now judges its KRs on {end} with the data there is so far",
                          column="CYCLE", value=cycle, hint="pass --early to close it anyway")
    w.con.execute("UPDATE okr_cycle SET closed_at = CASE WHEN ? THEN NULL ELSE now()::TIMESTAMP END WHERE cycle = ?", [reopen, cycle])
    w.con.execute("INSERT INTO cycle_event VALUES (?, ?, ?, now()::TIMESTAMP, ?)",
                  [cycle, "reopened" if reopen else "closed", by, (reason or "").strip() or None])
    w.changed = True


def cycle_events(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    """The cycle's closings and reopenings, newest first."""
    rows = con.execute("SELECT event, done_by, done_at, reason FROM cycle_event WHERE cycle = ? ORDER BY done_at DESC",
                       [cycle]).fetchall()
    return [dict(zip(("event", "by", "at", "reason"), row, strict=True)) for row in rows]


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


def _write_checkins(con: duckdb.DuckDBPyConnection, cycle: str, checkins: list[CheckIn], source: str, now: datetime,
                    by: str | None = None) -> None:
    if not checkins:
        return
    rows = [[cycle, c.kr_id, c.date, c.confidence, c.note, c.value, source, now, by] for c in checkins]
    con.executemany("DELETE FROM checkin WHERE cycle = ? AND kr_id = ? AND date = ?", [r[:3] for r in rows])
    con.executemany(
        """INSERT INTO checkin (cycle, kr_id, date, confidence, note, value, source_file, recorded_at, recorded_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)


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


# --- key tasks and check-ins: file loads and the Week page ------------------------------------

DASHBOARD = "dashboard"  # the source of what the Week page writes
NOTE_MAX_CHARS = 500  # a check-in note is a sentence or two; a longer story belongs behind a task's link
TEXT_MAX_CHARS = 200  # a task's title, a reason for changing the plan


def tasks(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    """The cycle's key tasks, the file's in file order, then those added on the Week page: id, KR,
    title, owner, helpers, due, status, link, the day it was done, and whether the file holds it."""
    return [{k: v for k, v in t.items() if k not in ("position", "file_values")} | {"from_file": t["file_values"] is not None}
            for t in _stored(con, cycle)]


def task(con: duckdb.DuckDBPyConnection, cycle: str, task_id: str) -> dict | None:
    return next((t for t in tasks(con, cycle) if t["task_id"] == task_id), None)


def task_changes(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    """Every change of the cycle's tasks, oldest first, values decoded (a helper list, a date as
    YYYY-MM-DD; a created or removed task: its fields)."""
    cur = con.execute(
        """SELECT task_id, field, old_value, new_value, change_date, changed_at, changed_by, reason, source
           FROM task_change WHERE cycle = ? ORDER BY changed_at, task_id, field""", [cycle])
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    return [r | {"old_value": _json_value(r["old_value"]), "new_value": _json_value(r["new_value"])} for r in rows]


def add_task(w: Writer, cycle: str, values: dict, today: date, by: str | None, reason: str | None = None) -> str:
    """Add a task on the Week page; returns its id.

    Raises:
        OkrDefinitionError: the cycle is closed.
        ConfigError: a bad field (``column`` names it), or a change of a week's plan after its
            Wednesday without a reason (column ``reason``).
    """
    con = w.con
    _refuse_closed(con, cycle, DASHBOARD)
    new = _checked_task(con, cycle, values)
    reason = _reason_for(None, new, today, reason)
    task_id = f"T{_next_task_number(con, cycle)}"
    position = con.execute("SELECT coalesce(max(position) + 1, 0) FROM key_task WHERE cycle = ?", [cycle]).fetchone()[0]
    _write_task(con, cycle, task_id, new, position, today if new["status"] == "done" else None, None, insert=True)
    _record_changes(con, cycle, task_id, [("created", None, new)], today, by, reason, DASHBOARD)
    w.changed = True
    return task_id


def edit_task(w: Writer, cycle: str, task_id: str, changes: dict, today: date, by: str | None,
              reason: str | None = None) -> list[str]:
    """Change a task's fields on the Week page; returns the names of the fields that changed.

    Raises:
        OkrDefinitionError: the cycle is closed.
        ConfigError: no such task, a bad field, or a change of plan after its week's Wednesday
            without a reason.
    """
    con = w.con
    _refuse_closed(con, cycle, DASHBOARD)
    row = next((t for t in _stored(con, cycle) if t["task_id"] == task_id), None)
    if row is None:
        raise ConfigError("no such task", column="task_id", value=task_id, expected=f"a task of cycle {cycle}")
    after = _checked_task(con, cycle, {**{f: row[f] for f in TASK_FIELDS}, **changes})
    changed = [(f, row[f], after[f]) for f in TASK_FIELDS if after[f] != row[f]]
    if not changed:
        return []
    reason = _reason_for(row, after, today, reason)
    _write_task(con, cycle, task_id, after, row["position"], _done_on(row, after, today), row["file_values"])
    _record_changes(con, cycle, task_id, changed, today, by, reason, DASHBOARD)
    w.changed = True
    return [f for f, _, _ in changed]


def record_checkin(w: Writer, cycle: str, kr_id: str, day: date, confidence: float | None, note: str | None,
                   by: str | None, today: date | None = None) -> None:
    """One check-in from the Week page's form, under the rules of `okrfunnel okrs checkins` (a KR
    of the cycle, a day within it, a whole confidence from 1 to 10, an open cycle; the same KR and
    day replaces the earlier one), plus what only a form needs: a confidence given, a short note,
    a day no later than ``today``.

    Raises:
        ConfigError: the first problem, ``column`` naming the field (confidence, note, kr, date).
        OkrDefinitionError: the cycle is closed.
    """
    if confidence is None:
        raise ConfigError("confidence is missing", file=DASHBOARD, column="confidence", expected="a whole number from 1 to 10")
    if day > (today or date.today()):  # a future check-in would stand as the latest until that day
        raise ConfigError("a check-in cannot be dated after today", file=DASHBOARD, column="date", value=str(day),
                          expected=f"{today or date.today()} or earlier")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX_CHARS:
        raise ConfigError(f"the note is longer than {NOTE_MAX_CHARS} characters", file=DASHBOARD, column="note",
                          value=f"{len(note)} characters", hint="put the longer story behind a task's link")
    where = {("checkins", 0): (DASHBOARD, None, None)} | {
        ("checkins", 0, f): (DASHBOARD, None, f) for f in ("kr", "date", "confidence", "note")}
    row = {"kr": kr_id, "date": day, "confidence": confidence, "note": note}
    try:
        load_checkins(w, Path(DASHBOARD), [row], where, cycle, by)
    except OkrDefinitionError as exc:
        if exc.details.get("problems"):
            raise exc.details["problems"][0] from None
        raise


def _stored(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    cur = con.execute(
        """SELECT task_id, kr_id, title, owner, helpers, due, status, link, done_on, position, file_values
           FROM key_task WHERE cycle = ? ORDER BY file_values IS NULL, position""", [cycle])
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    return [r | {"file_values": None if r["file_values"] is None else _decoded(r["file_values"])} for r in rows]


def _task_values(t: Task) -> dict:
    return {"kr_id": t.kr_id, "title": t.title, "owner": t.owner, "helpers": list(t.helpers), "due": t.due,
            "status": t.status, "link": t.link}


def _encoded(values) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, default=date.isoformat)


def _decoded(text: str) -> dict:
    values = json.loads(text)
    return values | {"due": values["due"] and date.fromisoformat(values["due"])}


def _json_value(text: str | None):
    return None if text is None else json.loads(text)


def _file_keys(tasks: list[dict]) -> list[tuple[str, str, int]]:
    """How a task of the file is known across loads: its KR and title, and which of the tasks
    with that KR and title it is (a file may repeat a title)."""
    seen: dict[tuple[str, str], int] = {}
    keys = []
    for t in tasks:
        pair = (t["kr_id"], t["title"])
        seen[pair] = seen.get(pair, 0) + 1
        keys.append((*pair, seen[pair]))
    return keys


def _merge_file_tasks(con: duckdb.DuckDBPyConnection, cycle: str, file_tasks: list[Task], source: str, today: date,
                      now: datetime) -> None:
    """The file's tasks into the stored ones. A file task is the stored one the previous load read
    with the same KR and title. Per field, a value the file changed since that load wins; a field
    the file left alone keeps what the Week page made of it. A task the file no longer lists is
    removed; tasks added on the Week page are never touched. Loads follow no Wednesday rule: the
    file is the plan the lead agreed to."""
    stored = [t for t in _stored(con, cycle) if t["file_values"] is not None]
    known = dict(zip(_file_keys([t["file_values"] for t in stored]), stored))
    number = _next_task_number(con, cycle)
    new_values = [_task_values(t) for t in file_tasks]
    kept = set()
    for t, new, key in zip(file_tasks, new_values, _file_keys(new_values)):
        row = known.get(key)
        if row is None:
            task_id, number = f"T{number}", number + 1
            _write_task(con, cycle, task_id, new, t.position, new["due"] if new["status"] == "done" else None, new, insert=True)
            _record_changes(con, cycle, task_id, [("created", None, new)], today, None, None, source, now)
            continue
        kept.add(row["task_id"])
        merged = {f: new[f] if new[f] != row["file_values"][f] else row[f] for f in TASK_FIELDS}
        _write_task(con, cycle, row["task_id"], merged, t.position, _done_on(row, merged, today), new)
        _record_changes(con, cycle, row["task_id"], [(f, row[f], merged[f]) for f in TASK_FIELDS if merged[f] != row[f]],
                        today, None, None, source, now)
    for row in stored:
        if row["task_id"] not in kept:
            con.execute("DELETE FROM key_task WHERE cycle = ? AND task_id = ?", [cycle, row["task_id"]])
            _record_changes(con, cycle, row["task_id"], [("removed", {f: row[f] for f in TASK_FIELDS}, None)],
                            today, None, None, source, now)


def _next_task_number(con: duckdb.DuckDBPyConnection, cycle: str) -> int:
    """One past every id the cycle ever used: a removed task's id, still in the history, is not reused."""
    return con.execute(
        """SELECT coalesce(max(CAST(substr(task_id, 2) AS INTEGER)), 0) + 1 FROM (
               SELECT task_id FROM key_task WHERE cycle = $c UNION ALL SELECT task_id FROM task_change WHERE cycle = $c)""",
        {"c": cycle}).fetchone()[0]


def _done_on(before: dict, after: dict, today: date) -> date | None:
    if after["status"] != "done":
        return None
    return before["done_on"] if before["status"] == "done" else today


def _write_task(con: duckdb.DuckDBPyConnection, cycle: str, task_id: str, values: dict, position: int,
                done_on: date | None, file_values: dict | None, insert: bool = False) -> None:
    if insert:
        con.execute("INSERT INTO key_task (cycle, task_id, kr_id, title, status, helpers, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [cycle, task_id, values["kr_id"], values["title"], values["status"], values["helpers"], position])
    con.execute(
        """UPDATE key_task SET kr_id = ?, title = ?, owner = ?, helpers = ?, due = ?, status = ?, link = ?, position = ?,
                  done_on = ?, file_values = ? WHERE cycle = ? AND task_id = ?""",
        [*(values[f] for f in TASK_FIELDS), position, done_on, _encoded(file_values), cycle, task_id])


def _record_changes(con: duckdb.DuckDBPyConnection, cycle: str, task_id: str, changes: list[tuple], today: date,
                    by: str | None, reason: str | None, source: str, now: datetime | None = None) -> None:
    if not changes:
        return
    now = now or datetime.now()
    con.executemany(
        "INSERT INTO task_change VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[cycle, task_id, field, _encoded(old), _encoded(new), today, now, by, reason, source] for field, old, new in changes])


def _checked_task(con: duckdb.DuckDBPyConnection, cycle: str, values: dict) -> dict:
    """A task's fields from the Week page, tidied (text trimmed, helpers without the owner or
    repeats, no owner meaning the KR's owner), or ConfigError naming the first bad field (a due
    day outside the cycle among them)."""
    kr_ids = [r[0] for r in con.execute("SELECT kr_id FROM key_result WHERE cycle = ? ORDER BY position", [cycle]).fetchall()]
    if values.get("kr_id") not in kr_ids:
        raise ConfigError("not a key result of this cycle", file=DASHBOARD, column="kr_id", value=values.get("kr_id"),
                          expected=", ".join(kr_ids))
    title = (values.get("title") or "").strip()
    if not title or len(title) > TEXT_MAX_CHARS:
        raise ConfigError("a task needs a title", file=DASHBOARD, column="title", value=title or None,
                          expected=f"1 to {TEXT_MAX_CHARS} characters")
    if values.get("status") not in TASK_STATUSES:
        raise ConfigError("unknown status", file=DASHBOARD, column="status", value=values.get("status"),
                          expected=" | ".join(TASK_STATUSES))
    link = (values.get("link") or "").strip() or None
    if link is not None and not link.lower().startswith(("http://", "https://")):
        # the page opens it as a link: a javascript: or file: address must never get there
        raise ConfigError("a link must be a web address", file=DASHBOARD, column="link", value=link,
                          expected="an address starting with http:// or https://")
    owner = (values.get("owner") or "").strip() or None
    if owner is None:  # the KR's owner: a task nobody owns is one nobody may edit, and nobody does
        owner = con.execute("SELECT owner FROM key_result WHERE cycle = ? AND kr_id = ?", [cycle, values["kr_id"]]).fetchone()[0]
    if owner is None:
        raise ConfigError("a task needs an owner", file=DASHBOARD, column="owner", expected="the person doing it")
    start, end = con.execute("SELECT start_date, end_date FROM okr_cycle WHERE cycle = ?", [cycle]).fetchone()
    due = values.get("due")
    if due is not None and not start <= due <= end:  # outside the cycle it would show in none of its weeks
        raise ConfigError("due outside the cycle", file=DASHBOARD, column="due", value=str(due),
                          expected=f"a day from {start} to {end}")
    helpers = list(dict.fromkeys(h.strip() for h in values.get("helpers") or [] if h and h.strip() and h.strip() != owner))
    return {"kr_id": values["kr_id"], "title": title, "owner": owner, "helpers": helpers, "due": values.get("due"),
            "status": values["status"], "link": link}


def _reason_for(before: dict | None, after: dict, today: date, reason: str | None) -> str | None:
    """The reason, required for a change of plan after the Wednesday of the task's week."""
    reason = (reason or "").strip() or None
    if reason is None and needs_reason(before, after, today):
        week = monday(max(t["due"] for t in (before, after) if t is not None and plan_locked(t["due"], today)))
        raise ConfigError(f"the plan of the week of {week} is past its Wednesday: a change needs a reason",
                          file=DASHBOARD, column="reason", expected="why the plan changes",
                          hint="agree the change with the KR's lead and say why")
    if reason is not None and len(reason) > TEXT_MAX_CHARS:
        raise ConfigError(f"the reason is longer than {TEXT_MAX_CHARS} characters", file=DASHBOARD)
    return reason


def kr_owner(con: duckdb.DuckDBPyConnection, cycle: str, kr_id: str | None) -> tuple[bool, str | None]:
    """Whether the cycle has the KR, and its owner."""
    found = con.execute("SELECT owner FROM key_result WHERE cycle = ? AND kr_id = ?", [cycle, kr_id]).fetchone()
    return found is not None, found[0] if found else None
