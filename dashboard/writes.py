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
    shown = Path(name).name

    def named(text: str) -> str:
        return text.replace(str(path), shown)

    record = {k: named(v) if isinstance(v, str) else v for k, v in outcome.as_record().items()}
    return {**record, "file": shown, "warnings": [named(w) for w in outcome.warnings]}

