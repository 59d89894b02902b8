"""Warehouse access: migrations, one writer at a time, readers that never see a half-written file.

DuckDB lets no other process open a file while one holds it read-write, not even read-only
(FACTS.md). So a writer never opens the live file: it copies it, writes the copy, checkpoints,
closes, and atomically renames the copy over the live file. Readers keep working throughout and
see either the old or the new warehouse; a writer killed mid-way leaves only a stray copy, which
the next writer removes. Writers queue on an advisory lock file beside the warehouse.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from pipelines.errors import WarehouseError

_PID_IN_LOCK_MESSAGE = re.compile(r"PID (\d+)")


# How a warehouse hashes email and phone (warehouse_meta 'pii_hash'; without it, SHA-256): a
# salted one-way hash kept as a 128-bit number (migration 0011), so the same address matches
# across exports. Migration 0013 says why MD5 for a warehouse without hashes yet.
PII_HASHES = {
    "sha256": "('0x' || left(sha256(getvariable('okrfunnel_salt') || value), 32))::UHUGEINT",
    "md5": "md5_number(getvariable('okrfunnel_salt') || value)",
}


def sql_dir() -> Path:
    """``sql/`` of the checkout, or the copy the wheel carries inside the package."""
    packaged = Path(str(resources.files("pipelines"))) / "sql"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "sql"


def read_sql(relative: str) -> str:
    return (sql_dir() / relative).read_text(encoding="utf-8")


def _migrations() -> list[tuple[int, str, str]]:
    out = []
    for path in sorted((sql_dir() / "migrations").glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        out.append((version, path.stem, path.read_text(encoding="utf-8")))
    return out


def latest_schema_version() -> int:
    return _migrations()[-1][0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this warehouse lacks, each in its own transaction; return their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    done = {r[0] for r in con.execute("SELECT version FROM schema_migration").fetchall()}
    applied = []
    for version, name, sql in _migrations():
        if version in done:
            continue
        con.execute("BEGIN")
        con.execute(sql)
        con.execute("INSERT INTO schema_migration VALUES (?, ?, now())", [version, name])
        if version == 1:
            # 96 random bits in 16 characters: with a salt of 32, salt and address passed SHA-256's
            # 55-byte block and every email cost two blocks (measured: 1.2 s against 0.7 s per
            # 5M addresses). Older warehouses keep their 32-character salt, so their hashes match.
            con.execute("INSERT INTO warehouse_meta VALUES ('pii_salt', ?)", [secrets.token_urlsafe(12)])
        con.execute("COMMIT")
        applied.append(name)
    built = [m for m in marts() if not _has_table(con, m.stem)]
    for mart in built:
        con.execute(mart.read_text(encoding="utf-8"))
    return applied + [f"mart {m.stem}" for m in built]


def marts() -> list[Path]:
    """The derived tables (``sql/marts``), in the order they build on each other."""
    return sorted((sql_dir() / "marts").glob("*.sql"), key=lambda p: p.stem != "funnel_daily")


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every mart from the facts (after a funnel load)."""
    for mart in marts():
        con.execute(mart.read_text(encoding="utf-8"))


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """Settings for every connection okrfunnel opens: no progress bar on stderr, and a memory
    limit (OKRFUNNEL_MEMORY_LIMIT, default 1.1GB) past which DuckDB spills to disk instead of
    growing to 80% of the machine's memory.

    1.1 GB is DuckDB's share of the 1.5 GB a large ingest may take: Great Expectations and Python
    hold about 0.27 GB besides. The staged rows of a 5M-lead export take about 0.95 GB, and
    writing the leads and the marts beside them needs more: at a 1 GB limit DuckDB spilled, and
    the ingest cost 28.8 CPU s (peak 1.29 GB); at 1.1 GB 26.0 (peak 1.37 GB); at 1.2 GB no less
    (peak 1.44 GB); at 768 MB spilling the staged rows cost 4 CPU s more. With DuckDB set to 16
    threads (which allocate some memory outside the limit each) the 1.1 GB peak was 1.32 GB: a
    machine with many more cores should still stay under 1.5 GB.
    """
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = ?", [os.environ.get("OKRFUNNEL_MEMORY_LIMIT", "1.1GB")])


@contextmanager
def reader(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed on exit so the next one sees a swapped-in file.

    Raises:
        WarehouseError: no warehouse yet, held by another program, or from a newer okrfunnel.
    """
    if not db.exists():
        raise WarehouseError(
            "no warehouse here yet", file=db,
            hint="build the demo company's with `okrfunnel demo`, or load your exports with `okrfunnel ingest PATH`",
        )
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as exc:
        raise _locked(db, exc) from None
    except duckdb.Error as exc:
        raise WarehouseError(f"not a DuckDB warehouse: {str(exc).splitlines()[0]}", file=db) from None
    try:
        configure(con)
        _check_schema(con, db)
        yield con
    finally:
        con.close()


def _check_schema(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    try:
        applied = {r[0] for r in con.execute("SELECT version FROM schema_migration").fetchall()}
    except duckdb.CatalogException:
        raise WarehouseError("not an okrfunnel warehouse (no schema_migration table)", file=db) from None
    version, latest = max(applied, default=0), latest_schema_version()
    _refuse_newer(version, db)
    # Migrations written side by side can land out of number order (0008 before 0007): a warehouse
    # may hold the newest number and still lack an older one.
    missing = sorted({v for v, _, _ in _migrations()} - applied)
    if missing:
        without = "" if version < latest else f" without {', '.join(map(str, missing))}"
        raise WarehouseError(
            f"the warehouse has schema {version}{without}, this okrfunnel needs {latest}",
            file=db, hint="run any `okrfunnel ingest` to migrate it",
        )


def _refuse_newer_schema(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """A writer must not load into a schema it does not know (rows of a newer shape; email and
    phone hashed by a newer scheme): a new file has no schema yet."""
    if _has_table(con, "schema_migration"):
        _refuse_newer(con.execute("SELECT max(version) FROM schema_migration").fetchone()[0] or 0, db)


def _refuse_newer(version: int, db: Path) -> None:
    if version > latest_schema_version():
        raise WarehouseError(
            f"the warehouse was written by a newer okrfunnel (schema {version})", file=db,
            hint="upgrade okrfunnel",
        )


def _locked(db: Path, exc: Exception) -> WarehouseError:
    pid = _PID_IN_LOCK_MESSAGE.search(str(exc))
    holder = f" (PID {pid.group(1)})" if pid else ""
    return WarehouseError(
        f"the warehouse is locked by another program{holder}", file=db,
        hint="close the program that holds it (a DuckDB shell or notebook) and try again",
        details={"locked": True},
    )


class Writer:
    """A working copy of the warehouse, swapped in at the end if ``changed`` was set."""

    def __init__(self, db: Path, con: duckdb.DuckDBPyConnection, changed: bool):
        self.db, self.con, self.changed = db, con, changed

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A folder for staging files beside the warehouse (same disk; a killed writer's
        leftovers are removed with its copy by the next writer)."""
        folder = self.db.with_name(f"{self.db.name}.tmp-{os.getpid()}-stage")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @property
    def salt(self) -> str:
        return self.con.execute("SELECT value FROM warehouse_meta WHERE key = 'pii_salt'").fetchone()[0]

    @property
    def pii_hash(self) -> str:
        """The scheme email and phone are hashed by (``PII_HASHES``): MD5 where migration
        0013 found no hash yet, else the SHA-256 the warehouse made its hashes with."""
        row = self.con.execute("SELECT value FROM warehouse_meta WHERE key = 'pii_hash'").fetchone()
        scheme = row[0] if row else "sha256"
        if scheme not in PII_HASHES:
            raise WarehouseError(
                f"the warehouse hashes email and phone by a scheme this okrfunnel does not know: {scheme!r}",
                file=self.db, hint="upgrade okrfunnel",
            )
        return scheme


@contextmanager
def writer(db: Path, wait_seconds: float = 60.0) -> Iterator[Writer]:
    """Exclusive write access through a working copy, swapped in atomically on success.

    A body that leaves ``changed`` unset (every file already known, say) leaves the warehouse
    file untouched, byte for byte.

    Raises:
        WarehouseError: another okrfunnel keeps writing for longer than ``wait_seconds``, or the
            file is held by another program.
    """
    db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db.with_name(db.name + ".lock")
    with _exclusive_lock(lock_path, db, wait_seconds):
        _remove_stray_copies(db)
        work = db.with_name(f"{db.name}.tmp-{os.getpid()}")
        if db.exists():
            _check_not_held(db)
            shutil.copyfile(db, work)
        try:
            con = duckdb.connect(str(work))
        except duckdb.Error as exc:
            work.unlink(missing_ok=True)
            raise WarehouseError(f"not a DuckDB warehouse: {str(exc).splitlines()[0]}", file=db) from None
        try:
            configure(con)
            _refuse_newer_schema(con, db)
            w = Writer(db, con, changed=bool(migrate(con)))
            yield w
            if w.changed:
                con.execute("CHECKPOINT")
                con.close()
                os.replace(work, db)
                _fsync_dir(db.parent)
        finally:
            con.close()
            work.unlink(missing_ok=True)


def _check_not_held(db: Path) -> None:
    """Refuse to copy a file another program is writing: the copy could be torn."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as exc:
        raise _locked(db, exc) from None


@contextmanager
def _exclusive_lock(lock_path: Path, db: Path, wait_seconds: float) -> Iterator[None]:
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip()
                    raise WarehouseError(
                        f"another okrfunnel process{f' (PID {holder})' if holder else ''} is writing the warehouse",
                        file=db, hint="wait for it to finish, then run the command again",
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_stray_copies(db: Path) -> None:
    """Copies and staging folders left by writers that were killed (we hold the lock, so none is
    in use)."""
    for stray in db.parent.glob(f"{db.name}.tmp-*"):
        if stray.is_dir():
            shutil.rmtree(stray, ignore_errors=True)
        else:
            stray.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
