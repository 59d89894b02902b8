"""``okrfunnel demo``: write the demo company's files and load them the way a team would.

The exports go through the same ``ingest_file`` as a user's files (bad rows included), the OKR
files through the same checks and load as ``okrfunnel okrs load``: the demo shows the product,
it does not bypass it. Everything is loaded into a new file beside the target and swapped in at
the end, so a dashboard reading the old warehouse never sees a half-built one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.demo.exports import write_exports
from pipelines.demo.okrs import write_okr_files
from pipelines.demo.world import DEMO_CYCLES
from pipelines.errors import ConfigError, OkrfunnelError


@dataclass
class DemoOutcome:
    db: Path
    exports: Path
    files: int
    rows_loaded: int
    rows_set_aside: int
    okr_lines: list[str]
    seconds: float


def build_demo(db: Path, exports: Path, replace: bool = False) -> DemoOutcome:
    """Write the exports and OKR files into ``exports`` and build the warehouse ``db`` from them.

    Raises:
        ConfigError: ``db`` exists and ``replace`` is not set.
        OkrfunnelError: a demo file failed to load (a defect: the demo is fixed data).
    """
    from pipelines.loading import ingest_file
    from pipelines.okr_file import read_document
    from pipelines.okr_scores import load_scores
    from pipelines.okr_store import (
        close_cycle,
        known_filter_values,
        load_checkins,
        load_document,
    )
    from pipelines.okr_workbook import read_checkins
    from pipelines.registry import Registry
    from pipelines.warehouse import writer

    if db.exists() and not replace:
        raise ConfigError("a warehouse already exists here", file=db,
                          hint="pass --replace to rebuild it as the demo, or --db for another file")
    started = time.perf_counter()
    files = write_exports(exports)
    okr_files = write_okr_files(exports / "okrs")
    fresh = db.with_name(f"{db.name}.demo-{os.getpid()}")
    fresh.unlink(missing_ok=True)
    loaded = set_aside = 0
    okr_lines = []
    try:
        with writer(fresh) as w:
            registry = Registry.load()
            for demo_file in files:
                outcome = ingest_file(w, demo_file.path, registry, source=demo_file.source, export_date=demo_file.export_date)
                if outcome.status == "failed":
                    raise outcome.error
                loaded += outcome.rows_loaded
                set_aside += outcome.rows_set_aside
            known = known_filter_values(w.con)
            *definitions, checkins = okr_files
            for path in definitions:
                if path.name.startswith("scores_"):
                    recorded = load_scores(w, path)
                    close_cycle(w, recorded.cycle, by="评审委员会")
                    okr_lines.append(f"{path.name}: {recorded.cycle}: {recorded.count} scores recorded; {recorded.cycle} closed")
                    continue
                okr_lines.append(f"{path.name}: {load_document(w, read_document(path, known_values=known)).message}")
            rows, where = read_checkins(checkins)
            cycle, count = load_checkins(w, checkins, rows, where, DEMO_CYCLES[1])
            okr_lines.append(f"{checkins.name}: {cycle}: {count} check-ins loaded")
        os.replace(fresh, db)
    except OkrfunnelError:
        fresh.unlink(missing_ok=True)
        raise
    finally:
        fresh.with_name(fresh.name + ".lock").unlink(missing_ok=True)
    return DemoOutcome(db, exports, len(files), loaded, set_aside, okr_lines, time.perf_counter() - started)
