"""Every change the dashboard makes to the warehouse: uploads, check-ins, tasks, scores, closing
a cycle. Each function takes the signed-in ``auth.User`` first and checks the role before anything
else; each writes through ``pipelines.warehouse.writer`` (a copy swapped in), so readers are never
blocked and never see half a change, and the new file's identity refreshes every cached number.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dashboard.auth import User, require
from dashboard.data import settings, warehouse


def ingest_upload(user: User, name: str, content: bytes, export_date: date | None = None, source: str | None = None) -> dict:
    """Load an uploaded export through the same ``ingest_file`` as ``okrfunnel ingest``.

    The upload is written to a temporary folder under its own name (the name is what runs and
    quarantine show), and messages name the upload, not that copy. Without ``export_date`` the
    export counts as made today, as a file downloaded now would.
    """
    require(user, "admin", "loading an export")
    import tempfile

    from pipelines.loading import ingest_file
    from pipelines.registry import Registry
    from pipelines.warehouse import writer

    with tempfile.TemporaryDirectory(prefix="okrfunnel-upload-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        with writer(warehouse()) as w:
            outcome = ingest_file(w, path, Registry.load(tuple(settings().sources_dirs)), source=source,
                                  export_date=export_date)
            if outcome.status.startswith("loaded"):  # the temporary copy is gone: say where the file came from
                w.con.execute("UPDATE ingest_run SET file_path = ? WHERE run_id = ?",
                              [f"dashboard upload by {user.name or 'the local user'}: {Path(name).name}", outcome.run_id])
    shown = Path(name).name

    def named(text: str) -> str:
        return text.replace(str(path), shown)

    record = {k: named(v) if isinstance(v, str) else v for k, v in outcome.as_record().items()}
    return {**record, "file": shown, "warnings": [named(w) for w in outcome.warnings]}


def save_scores(user: User, cycle: str, krs: list[dict], people: list[dict]):
    """The Evaluation page's score tables, recorded as ``okrfunnel okrs scores`` records a file
    (the same history and closed-cycle rule); returns the ``okr_scores.Recorded``."""
    require(user, "admin", "scoring")
    from pipelines.okr_scores import record, scores_from_table
    from pipelines.warehouse import writer

    document = scores_from_table(cycle, krs, people, _signature(user))
    with writer(warehouse()) as w:
        return record(w, document, "dashboard")


def _signature(user: User) -> str:
    """Who a score or note is recorded as given by: the signed-in person, or without sign-in the
    account the dashboard runs under (the only one who can reach it)."""
    import getpass

    return user.name or f"{getpass.getuser()} (local)"


def save_review_notes(user: User, cycle: str, lessons: str, next_steps: str) -> None:
    """The quarter's lessons and next steps, one per line; each list replaces the stored one."""
    require(user, "admin", "writing the review")
    from pipelines.okr_file import REVIEW_SECTIONS, ReviewNote, ScoresDocument
    from pipelines.okr_scores import record
    from pipelines.warehouse import writer

    notes = [ReviewNote(section, line.strip(), user.name)
             for section, text in zip(REVIEW_SECTIONS, (lessons, next_steps), strict=True)
             for line in text.splitlines() if line.strip()]
    with writer(warehouse()) as w:
        record(w, ScoresDocument(cycle, [], notes, REVIEW_SECTIONS), "dashboard")


def close_cycle(user: User, cycle: str, reopen: bool = False, reason: str | None = None, early: bool = False) -> None:
    """Close a cycle (its scores then change only with a reason), or open it again (with a reason)."""
    require(user, "admin", "reopening a cycle" if reopen else "closing a cycle")
    from pipelines.okr_store import close_cycle as close
    from pipelines.warehouse import writer

    with writer(warehouse()) as w:
        close(w, cycle, reopen, by=_signature(user), reason=reason, early=early)



# --- the Week page: check-ins and key tasks ---------------------------------------------------
# A member writes for what is theirs: check-ins for the KRs they own, the tasks they own or help
# with (and new tasks for their KRs or with themselves on them); an admin writes for everyone.


def check_in(user: User, cycle: str, kr_id: str, day: date, confidence: float | None, note: str | None,
             today: date | None = None) -> None:
    """One check-in (confidence 1-10 and a note) under the rules of ``okrfunnel okrs checkins``;
    the same KR and day replaces the earlier one."""
    require(user, "member", "a check-in")
    from pipelines.okr_store import kr_owner, record_checkin
    from pipelines.warehouse import writer

    with writer(warehouse()) as w:
        found, owner = kr_owner(w.con, cycle, kr_id)
        if found:
            _require_own(user, f"a check-in for {kr_id}", owner)
        record_checkin(w, cycle, kr_id, day, confidence, note, user.name, today)


def add_task(user: User, cycle: str, values: dict, reason: str | None = None, today: date | None = None) -> str:
    """A new task on the Week page; returns its id. After the Wednesday of the task's week it
    needs a reason (kept in the task's history)."""
    require(user, "member", "adding a task")
    from pipelines.okr_store import add_task as add
    from pipelines.okr_store import kr_owner
    from pipelines.warehouse import writer

    with writer(warehouse()) as w:
        _, kr_lead = kr_owner(w.con, cycle, values.get("kr_id"))
        _require_own(user, "adding a task", kr_lead, values.get("owner"), *(values.get("helpers") or []))
        return add(w, cycle, values, today or date.today(), user.name, reason)


def edit_task(user: User, cycle: str, task_id: str, changes: dict, reason: str | None = None,
              today: date | None = None) -> list[str]:
    """Change a task; returns the fields that changed. A change of plan (KR, title, owner,
    helpers, due) after the Wednesday of the task's week needs a reason; status and link never do."""
    require(user, "member", "editing a task")
    from pipelines.okr_store import edit_task as edit
    from pipelines.okr_store import task
    from pipelines.warehouse import writer

    with writer(warehouse()) as w:
        found = task(w.con, cycle, task_id)
        if found is not None:
            _require_own(user, f"editing task {task_id}", found["owner"], *found["helpers"])
        return edit(w, cycle, task_id, changes, today or date.today(), user.name, reason)


def _require_own(user: User, what: str, *people: str | None) -> None:
    if not user.can("admin") and not user.is_one_of(*people):
        from dashboard.auth import AccessDenied

        raise AccessDenied(f"{what} is for {' / '.join(p for p in people if p) or 'its owner'} or an admin",
                           value=user.name, hint="ask them or an admin to make this change")
