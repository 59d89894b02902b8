"""Shared test helpers: run the real CLI in-process against a real DuckDB file in a temp folder."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def cli(db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """``cli("ingest", path, ...)``: the okrfunnel command against this test's warehouse."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OKRFUNNEL_CONFIG", raising=False)
    monkeypatch.delenv("OKRFUNNEL_DB", raising=False)
    runner = CliRunner()

    def run(*args, with_db: bool = True) -> CliResult:
        argv = [str(a) for a in args] + (["--db", str(db)] if with_db else [])
        result = runner.invoke(app, argv, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def migrate_before(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Migrate a warehouse as the okrfunnel before migration ``version`` did. Today's marts are
    left out (they read what later migrations made); the next writer builds them."""
    from pipelines import warehouse

    every = warehouse._migrations()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warehouse, "_migrations", lambda: [m for m in every if m[0] < version])
        patch.setattr(warehouse, "marts", list)
        warehouse.migrate(con)


def metrics(cli, period: str, *names: str, by: str | None = None, filters: tuple[str, ...] = ()) -> list[dict]:
    args = ["metrics", "--period", period, "--format", "json"]
    for name in names:
        args += ["--metric", name]
    if by:
        args += ["--by", by]
    for f in filters:
        args += ["--filter", f]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.json()


def ingest(cli, path, export_date: str) -> str:
    """Ingest one export that must be read (exit 0); return what it printed."""
    result = cli("ingest", path, "--export-date", export_date)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def quarantined(cli, *fields: str) -> list[tuple]:
    """The set-aside rows, each as a tuple of the named fields (row, column, value, check, reason)."""
    return [tuple(r[f] for f in fields) for r in cli("quarantine", "--format", "json").json()]


@pytest.fixture(scope="session")
def okr_fixture_warehouse(tmp_path_factory) -> Path:
    """The fixture warehouse, built once through the real CLI; each test gets its own copy."""
    db = tmp_path_factory.mktemp("okrs") / "warehouse.duckdb"
    runner = CliRunner()
    for name in ("leads", "cost", "followers"):
        result = runner.invoke(app, ["ingest", str(FIXTURES / "okrs" / f"{name}.csv"), "--export-date", "2026-09-05", "--db", str(db)])
        assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["okrs", "load", str(FIXTURES / "okrs" / "okrs_2026-Q3.yaml"), "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture
def loaded(cli, okr_fixture_warehouse, db):
    """``cli`` on a copy of fixtures/okrs/ loaded: three exports and the 2026-Q3 OKRs."""
    shutil.copyfile(okr_fixture_warehouse, db)
    return cli


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The demo company's warehouse, built once per test session by `okrfunnel demo` (~10 s).
    Tests that change a warehouse copy it first."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "warehouse.duckdb"
    result = CliRunner().invoke(app, ["demo", "--db", str(db), "--exports", str(folder / "exports")])
    assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture
def warehouse(demo_warehouse, tmp_path, monkeypatch) -> Path:
    """A copy of the demo warehouse that this test may change, and the dashboard pointed at it
    (OKRFUNNEL_DB), run from the test's folder."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, db)
    monkeypatch.setenv("OKRFUNNEL_DB", str(db))
    monkeypatch.delenv("OKRFUNNEL_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return db
