"""The ``okrfunnel`` command line (PRODUCT.md: "Stable command line").

Every command takes ``--db`` and, where it prints data, ``--format``. Errors are one line on
stderr naming file, row and column, with a non-zero exit; tracebacks only with OKRFUNNEL_DEBUG=1.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.config import Settings, load_settings
from pipelines.errors import ConfigError, OkrfunnelError
from pipelines.metrics import DIMENSIONS, METRICS
from pipelines.output import Format, render

app = typer.Typer(
    help="okrfunnel: bring CRM and channel exports into DuckDB and bind OKR key results to them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="The sources okrfunnel recognises (built-in and your own).", no_args_is_help=True)
app.add_typer(sources_app, name="sources")

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: OKRFUNNEL_DB, or db in okrfunnel.toml, or data/warehouse.duckdb)."),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table for people; json or csv for scripts.")]
SourcesOption = Annotated[
    list[Path] | None,
    typer.Option("--sources", help="A folder of your own source files (repeatable; adds to sources_dirs in okrfunnel.toml)."),
]


def _settings(db: Path | None) -> Settings:
    settings = load_settings()
    if db is not None:
        settings = Settings(**{**settings.__dict__, "db": db})
    return settings


def _registry(settings: Settings, extra: list[Path] | None):
    from pipelines.registry import Registry

    return Registry.load(tuple(settings.sources_dirs) + tuple(extra or ()))


def _fail(exc: OkrfunnelError, code: int = 1) -> typer.Exit:
    if os.environ.get("OKRFUNNEL_DEBUG"):
        raise exc
    typer.echo(f"error: {exc.one_line()}", err=True)
    return typer.Exit(code)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"bad {option}", value=value, expected="a date as YYYY-MM-DD") from None


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders of exports.", show_default=False)],
    db: DbOption = None,
    source: Annotated[str | None, typer.Option("--source", help="Force this source instead of recognising the header.")] = None,
    sources: SourcesOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat rows set aside as a failure: such a file is not loaded.")] = False,
    export_date: Annotated[str | None, typer.Option("--export-date", help="The day the exports were made (YYYY-MM-DD; default: each file's modification date); no date may fall after it, and the newer export wins where two cover the same days.")] = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait while another okrfunnel writes the warehouse.")] = 60.0,
    fmt: FormatOption = Format.table,
) -> None:
    """Load exports into the warehouse; rows that fail validation are set aside with their reason.

    Exit 0 when every file was read (set-aside rows included); 1 when a file could not be read
    or --strict refused it. The other files still load.
    """
    from pipelines.loading import expand_paths, hash_in_background, ingest_file
    from pipelines.progress import Progress
    from pipelines.validation import prepare_in_background
    from pipelines.warehouse import writer

    # The files are hashed, and GX (seconds of Python, for the new ones) imported, from now on,
    # beside reading the config and opening the warehouse. When every file turns out to be known,
    # the command exits without waiting for the import (which still cost a known file's re-ingest
    # 0.07 s: the two threads share the interpreter).
    files = expand_paths(paths)
    hashes = hash_in_background(files)
    prepare_in_background()
    try:
        settings = _settings(db)
        registry = _registry(settings, sources)
        when = _parse_date(export_date, "--export-date")
        if source:
            registry.get(source)
        if not files:
            raise ConfigError("no export files found", file=", ".join(map(str, paths)), expected="CSV, TSV or Excel files")
        outcomes = []
        with writer(settings.db, wait_seconds=wait) as w, Progress(len(files)) as progress:
            for path, hashed in zip(files, hashes):
                outcome = ingest_file(
                    w, path, registry, source=source, export_date=when, strict=strict,
                    on_step=lambda step, p=path: progress.step(p, step), hashed=hashed,
                )
                progress.done(path)
                outcomes.append(outcome)
                _report(outcome, fmt)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    if fmt is not Format.table:
        render([o.as_record() for o in outcomes], fmt)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


def _report(outcome, fmt: Format) -> None:
    if outcome.status == "failed":
        typer.echo(f"error: {outcome.message}", err=True)
        return
    for warning in outcome.warnings:
        typer.echo(f"warning: {outcome.path}: {warning}", err=True)
    if fmt is Format.table:
        typer.echo(outcome.message)


@app.command()
def runs(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Ingest runs: file, source, rows read / loaded / set aside / skipped, status."""
    from pipelines import catalog

    _show(lambda con: catalog.runs(con), db, fmt)


@app.command()
def validations(
    run: Annotated[int, typer.Option("--run", help="The ingest run.")],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The Great Expectations results kept for one run: each expectation, success, failing rows."""
    from pipelines import catalog

    _show(lambda con: catalog.validations(con, run), db, fmt)


@app.command()
def quarantine(
    run: Annotated[int | None, typer.Option("--run", help="Only this run.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The rows set aside: file, row, column, value, reason."""
    from pipelines import catalog

    _show(lambda con: catalog.quarantine(con, run), db, fmt)


def _show(query, db: Path | None, fmt: Format, table_columns: list[str] | None = None) -> None:
    """Run ``query`` on a read-only connection and print its rows; ``table_columns`` narrows
    what a terminal shows (JSON and CSV always carry every column)."""
    from pipelines.warehouse import reader

    try:
        with reader(_settings(db).db) as con:
            rows = query(con)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    render(rows, fmt, table_columns if fmt is Format.table else None)


@app.command()
def metrics(
    period: Annotated[list[str], typer.Option("--period", help="2026-Q3, 2026-07, 2026-W27 or 2026-07-01..2026-09-30 (repeatable).")],
    metric: Annotated[list[str] | None, typer.Option("--metric", help=f"A metric (repeatable; default: all): {', '.join(METRICS)}.")] = None,
    by: Annotated[str | None, typer.Option("--by", help=f"Split by one of {', '.join(DIMENSIONS)}.")] = None,
    where: Annotated[list[str] | None, typer.Option("--filter", help="DIM=VALUE or DIM=VALUE,VALUE to keep only those (repeatable).")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Funnel, cost and follower metrics per period (and per dimension value)."""
    from pipelines import metrics as metric_module
    from pipelines.warehouse import reader

    try:
        settings = _settings(db)
        filters = metric_module.parse_filters(where or [])
        periods = [metric_module.parse_period(p, settings.fiscal_year_start_month) for p in period]
        names = metric or list(metric_module.METRICS)
        with reader(settings.db) as con:
            rows = metric_module.compute(con, periods, names, by=by, filters=filters, settings=settings)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    render(rows, fmt)


@sources_app.command("list")
def sources_list(sources: SourcesOption = None, fmt: FormatOption = Format.table) -> None:
    """Every source: name, fact, where it is defined."""
    try:
        registry = _registry(_settings(None), sources)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    render(
        [{"name": s.name, "fact": s.fact, "title": s.title, "builtin": s.builtin, "file": str(s.path)} for s in registry.specs.values()],
        fmt,
    )


@sources_app.command("show")
def sources_show(name: str, sources: SourcesOption = None) -> None:
    """Print a source's file: how it is recognised, read and mapped."""
    try:
        spec = _registry(_settings(None), sources).get(name)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    typer.echo(f"# {spec.path}")
    typer.echo(spec.path.read_text(encoding="utf-8"))


@sources_app.command("check")
def sources_check(
    file: Path,
    source: Annotated[str | None, typer.Option("--source", help="Force this source.")] = None,
    sources: SourcesOption = None,
    export_date: Annotated[str | None, typer.Option("--export-date", help="The day the export was made (YYYY-MM-DD).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Dry run: which source reads FILE, what would load, and every row that would be set aside.

    Nothing is written to your warehouse: the file is loaded into a throw-away one.
    """
    from pipelines import catalog
    from pipelines.loading import ingest_file
    from pipelines.warehouse import reader, writer

    try:
        registry = _registry(_settings(None), sources)
        when = _parse_date(export_date, "--export-date")
        with tempfile.TemporaryDirectory(prefix="okrfunnel-check-") as tmp:
            scratch = Path(tmp) / "check.duckdb"
            with writer(scratch) as w:
                outcome = ingest_file(w, file, registry, source=source, export_date=when)
            if outcome.status == "failed":
                raise outcome.error
            _report(outcome, Format.table)
            with reader(scratch) as con:
                render(catalog.quarantine(con, None), fmt)
    except OkrfunnelError as exc:
        raise _fail(exc) from None


# --- OKRs ------------------------------------------------------------------------------------

access_app = typer.Typer(help="Who may use the dashboard: sign-in and roles (docs/access.md).", no_args_is_help=True)
app.add_typer(access_app, name="access")


@access_app.command("hash-password")
def access_hash_password(
    login: Annotated[str, typer.Argument(help="The person's user name, for the snippet to paste.")] = "LOGIN",
    name: Annotated[str | None, typer.Option("--name", help="Their name as the OKR files write owners, e.g. 王芳 (default: LOGIN).")] = None,
    role: Annotated[str, typer.Option("--role", help="viewer, member or admin.")] = "member",
) -> None:
    """Ask for a password (twice; or read one line from standard input) and print its salted hash
    as the [access.people.LOGIN] lines for okrfunnel.toml. The password itself is never stored."""

    from pipelines.access import ROLES, hash_password

    if role not in ROLES:
        raise _fail(ConfigError("unknown role", column="--role", value=role, expected=" | ".join(ROLES)))
    if sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise _fail(ConfigError("password too short", value=f"{len(password)} characters", expected="at least 8 characters"))
    typer.echo(f'[access.people.{login}]\nname = "{name or login}"\nrole = "{role}"\npassword_hash = "{hash_password(password)}"')


okrs_app = typer.Typer(help="OKR definitions: load a cycle from YAML or the Excel workbook, check one, get the template.", no_args_is_help=True)
app.add_typer(okrs_app, name="okrs")
CycleOption = Annotated[str, typer.Option("--cycle", help="The OKR cycle, e.g. 2026-Q3.")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this day (YYYY-MM-DD; default: the newest day with data in the cycle).")]


def _fail_okr(exc: OkrfunnelError) -> typer.Exit:
    """Every problem of an OKR file on its own line, so the whole file can be fixed at once."""
    from pipelines.errors import OkrDefinitionError

    if isinstance(exc, OkrDefinitionError) and not os.environ.get("OKRFUNNEL_DEBUG"):
        for problem in exc.problems:
            typer.echo(f"error: {problem.one_line()}", err=True)
        return typer.Exit(1)
    return _fail(exc)


def _read_okr_file(file: Path, settings: Settings):
    from pipelines.okr_file import read_document
    from pipelines.okr_store import known_filter_values
    from pipelines.warehouse import reader

    known = None
    if settings.db.exists():
        with reader(settings.db) as con:
            known = known_filter_values(con)
    return read_document(file, settings.fiscal_year_start_month, known)


@okrs_app.command("load")
def okrs_load(
    file: Annotated[Path, typer.Argument(help="A .yaml OKR file or an .xlsx workbook (see `okrfunnel okrs template`).")],
    db: DbOption = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait while another okrfunnel writes the warehouse.")] = 60.0,
) -> None:
    """Load a cycle's OKRs: replaces its objectives, KRs and tasks; adds check-ins; a changed target
    or baseline is kept as a revision. A file with any problem loads nothing."""
    from pipelines.okr_store import load_document
    from pipelines.warehouse import writer

    try:
        settings = _settings(db)
        doc = _read_okr_file(file, settings)
        with writer(settings.db, wait_seconds=wait) as w:
            outcome = load_document(w, doc)
    except OkrfunnelError as exc:
        raise _fail_okr(exc) from None
    for warning in outcome.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"{file}: {outcome.message}")


@okrs_app.command("check")
def okrs_check(file: Path, db: DbOption = None) -> None:
    """Check an OKR file without loading it: every problem, and the focus warnings."""
    try:
        doc = _read_okr_file(file, _settings(db))
    except OkrfunnelError as exc:
        raise _fail_okr(exc) from None
    for warning in doc.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"{file}: {doc.cycle.label}: {len(doc.objectives)} objectives, {len(doc.key_results)} key results, "
               f"{len(doc.checkins)} check-ins, {len(doc.tasks)} tasks; no problems")


@okrs_app.command("checkins")
def okrs_checkins(
    file: Annotated[Path, typer.Argument(help="Check-ins on their own: CSV or Excel with kr, date, confidence, note, value.")],
    cycle: Annotated[str | None, typer.Option("--cycle", help="The cycle (default: the one cycle whose dates hold every check-in).")] = None,
    db: DbOption = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait while another okrfunnel writes the warehouse.")] = 60.0,
) -> None:
    """Add weekly check-ins from a CSV or Excel file."""
    from pipelines.okr_store import load_checkins
    from pipelines.okr_workbook import read_checkins
    from pipelines.warehouse import writer

    try:
        settings = _settings(db)
        rows, where = read_checkins(file)
        with writer(settings.db, wait_seconds=wait) as w:
            label, count = load_checkins(w, file, rows, where, cycle)
    except OkrfunnelError as exc:
        raise _fail_okr(exc) from None
    typer.echo(f"{file}: {label}: {count} check-ins loaded")


@okrs_app.command("scores")
def okrs_scores(
    file: Annotated[Path, typer.Argument(help="A YAML file (cycle, scores, people, lessons, next_steps) or the OKR workbook (sheets Scores, People, Review).")],
    db: DbOption = None,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait while another okrfunnel writes the warehouse.")] = 60.0,
) -> None:
    """Add quarter-end scores (0-10) and the review's lessons and next steps. A closed cycle's scores change only with a reason; every score is kept."""
    import getpass

    from pipelines.okr_scores import load_scores
    from pipelines.warehouse import writer

    try:
        settings = _settings(db)
        with writer(settings.db, wait_seconds=wait) as w:
            recorded = load_scores(w, file, settings.fiscal_year_start_month, recorded_by=getpass.getuser())
    except OkrfunnelError as exc:
        raise _fail_okr(exc) from None
    for warning in recorded.warnings:
        typer.echo(f"warning: {file}: {warning}", err=True)
    typer.echo(f"{file}: {recorded.cycle}: {recorded.count} scores recorded")


@okrs_app.command("template")
def okrs_template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the workbook (.xlsx).")],
    language: Annotated[str, typer.Option("--language", help="Headings in en or zh.")] = "en",
) -> None:
    """Write an empty OKR workbook: instructions, example rows and drop-down lists."""
    from pipelines.facts import CHANNELS
    from pipelines.okr_file import KINDS, LEVELS, TASK_STATUSES
    from pipelines.okr_workbook import write_template

    try:
        if out.suffix.lower() != ".xlsx":
            raise ConfigError("the template is an Excel workbook", column="--out", value=str(out), expected="a path ending in .xlsx")
        write_template(out, metrics=list(METRICS), kinds=list(KINDS), levels=list(LEVELS),
                       statuses=list(TASK_STATUSES), channels=list(CHANNELS), language=language)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {out}")


@okrs_app.command("revisions")
def okrs_revisions(
    cycle: Annotated[str | None, typer.Option("--cycle", help="Only this cycle.")] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Every change of a KR's target or baseline: old, new, when, approved by whom."""
    from pipelines.okr_store import revisions

    _show(lambda con: revisions(con, cycle), db, fmt)


@okrs_app.command("close")
def okrs_close(
    cycle: Annotated[str | None, typer.Argument(help="The cycle, e.g. 2026-Q3 (or --cycle, as other commands take it).")] = None,
    cycle_option: Annotated[str | None, typer.Option("--cycle", help="The cycle, e.g. 2026-Q3.")] = None,
    reopen: Annotated[bool, typer.Option("--reopen", help="Open a closed cycle again (to correct it); needs --reason.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why: required to reopen, kept in the history.")] = None,
    early: Annotated[bool, typer.Option("--early", help="Close before the cycle's last day.")] = False,
    db: DbOption = None,
) -> None:
    """Close a cycle at quarter end: its outcomes count for calibration, it no longer changes, and
    its scores change only with a reason. Closing and reopening are kept with who, when and why."""
    import getpass

    from pipelines.okr_store import close_cycle
    from pipelines.warehouse import writer

    cycle = cycle or cycle_option
    if cycle is None:
        raise _fail(ConfigError("which cycle?", column="CYCLE", expected="a cycle such as 2026-Q3, as an argument or --cycle"))
    try:
        with writer(_settings(db).db) as w:
            close_cycle(w, cycle, reopen, by=getpass.getuser(), reason=reason, early=early)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    typer.echo(f"{cycle}: {'reopened' if reopen else 'closed'}")


@app.command()
def krs(cycle: CycleOption, as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Every key result of a cycle: actual, attainment, expected, status, forecast, chance, confidence and flags."""
    from pipelines.okr_eval import evaluate

    _show(lambda con: evaluate(con, cycle, _parse_date(as_of, "--as-of"), _settings(db)), db, fmt, [
        "kr_id", "kr", "owner", "metric", "baseline", "target", "actual", "attainment", "expected", "status",
        "forecast", "chance", "confidence", "confidence_flags", "data_as_of"])


@app.command()
def objectives(cycle: CycleOption, as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Every objective of a cycle with its progress: the weighted mean of its KRs' attainment (each capped at 1)."""
    from pipelines.okr_eval import evaluate
    from pipelines.okr_eval import objectives as objective_rows

    _show(lambda con: objective_rows(con, cycle, evaluate(con, cycle, _parse_date(as_of, "--as-of"), _settings(db))), db, fmt)


@app.command()
def confidence(cycle: CycleOption, as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Every check-in: confidence, change since the previous and since the start, and `drop` flags."""
    from pipelines.okr_confidence import drift
    from pipelines.okr_eval import checkins_until, get_cycle, resolve_as_of

    def rows(con):
        found = get_cycle(con, cycle)
        day = _parse_date(as_of, "--as-of")
        resolve_as_of(con, found, day)  # refuses a day before the cycle
        return drift(con, found.label, checkins_until(found, day))

    _show(rows, db, fmt)


@app.command()
def calibration(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """How well mid-cycle confidence predicted reaching the target over closed cycles (Brier score per owner and team)."""
    from pipelines.okr_confidence import calibration as calibration_rows

    _show(lambda con: calibration_rows(con, _settings(db)), db, fmt)


@app.command()
def scores(cycle: CycleOption, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Quarter-end scores: per KR suggested (from attainment), self, committee, final and note; then
    the objective, owner and department roll-ups and each person's performance score."""
    from pipelines.okr_scores import scores as score_rows
    from pipelines.okr_scores import weight_warning

    try:
        settings = _settings(db)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    if warning := weight_warning(settings.evaluation):
        typer.echo(f"warning: {warning}", err=True)
    _show(lambda con: score_rows(con, cycle, settings), db, fmt)


@app.command()
def report(
    cycle: CycleOption,
    out: Annotated[Path, typer.Option("--out", help="The report file: .html (one self-contained file, interactive charts, opens offline), .pdf (Chromium prints that page) or .pptx (a slide per objective, charts as images).")],
    as_of: AsOfOption = None,
    language: Annotated[str, typer.Option("--language", help="en or zh.")] = "en",
    db: DbOption = None,
) -> None:
    """The quarter's report for the CEO: the cycle's summary, each objective with its KR outcomes,
    scores and chart, the change against last quarter by channel, since adopting OKRs, lessons and
    next steps; the same numbers as `krs`, `impact` and `scores`, the same slides as the Present page."""
    from dashboard.i18n import LANGUAGES
    from dashboard.report import FORMATS, render
    from dashboard.report_content import deck, gather

    try:
        suffix = out.suffix.lower()
        if suffix not in FORMATS:
            raise ConfigError("unknown report format", column="--out", value=str(out), expected="a path ending in " + ", ".join(FORMATS))
        if language not in LANGUAGES:
            raise ConfigError("unknown language", column="--language", value=language, expected=" or ".join(LANGUAGES))
        settings = _settings(db)
        from pipelines.warehouse import reader

        with reader(settings.db) as con:
            found = gather(con, cycle, _parse_date(as_of, "--as-of"), settings)
        out.write_bytes(render(deck(found, language), suffix))
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {out} ({out.stat().st_size // 1024} KB)")


@app.command()
def impact(cycle: CycleOption, as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Quarter-over-quarter impact: each metric against the previous quarter, the change split by
    channel and platform, each KR's metric, and the comparison with the quarter before OKRs."""
    from pipelines.okr_impact import impact as impact_rows

    _show(lambda con: impact_rows(con, cycle, _settings(db), _parse_date(as_of, "--as-of")), db, fmt)


@app.command()
def demo(
    db: DbOption = None,
    exports: Annotated[Path | None, typer.Option("--exports", help="Folder for the demo's export and OKR files (default: demo_exports beside the warehouse).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Rebuild the warehouse as the demo even if one exists.")] = False,
) -> None:
    """Build a warehouse for a fictional B2B SaaS marketing department (云帆科技): six quarters of
    exports in the built-in sources' formats, loaded through the same path as yours, and OKRs
    for the last two quarters. The files are kept so you can open them."""
    from pipelines.demo.build import build_demo

    try:
        settings = _settings(db)
        outcome = build_demo(settings.db, exports or settings.db.parent / "demo_exports", replace)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {outcome.files} exports and the OKR files to {outcome.exports}")
    typer.echo(f"loaded {outcome.rows_loaded:,} rows; {outcome.rows_set_aside} set aside (see `okrfunnel quarantine`)")
    for line in outcome.okr_lines:
        typer.echo(line)
    typer.echo(f"built {outcome.db} in {outcome.seconds:.1f} s. Next: okrfunnel krs --cycle 2026-Q4")


@app.command()
def dashboard(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
    host: Annotated[str, typer.Option("--host", help="Address to serve on; the default keeps it to this computer.")] = "127.0.0.1",
    open_to_network: Annotated[bool, typer.Option(
        "--open-to-network", help="Serve on a non-local --host without sign-in; every visitor is then a viewer.")] = False,
) -> None:
    """Start the dashboard (Streamlit) on the warehouse; open http://HOST:PORT in a browser.

    Without sign-in ([access] in okrfunnel.toml, docs/access.md) it serves only this computer;
    another --host needs sign-in, or --open-to-network for a read-only screen."""
    from importlib.resources import files

    from pipelines.access import is_loopback

    try:
        settings = _settings(db)
    except OkrfunnelError as exc:
        raise _fail(exc) from None
    signed_in = settings.access.sign_in != "none"
    if not is_loopback(host) and not signed_in and not open_to_network:
        raise _fail(ConfigError(f"serving on {host} without sign-in", column="--host",
                          expected="sign-in configured in okrfunnel.toml [access] (docs/access.md)",
                          hint="or pass --open-to-network to serve it read-only to everyone who can reach this computer"))
    app_file = files("dashboard") / "app.py"
    env = {**os.environ, "OKRFUNNEL_DB": str(settings.db.resolve()), "OKRFUNNEL_OPEN": "1" if open_to_network and not signed_in else "0"}
    typer.echo(f"okrfunnel dashboard on http://{host}:{port} (warehouse {settings.db}); Ctrl+C stops it", err=True)
    if signed_in:
        typer.echo(f"sign-in: {settings.access.sign_in}, {len(settings.access.people)} people listed", err=True)
    elif is_loopback(host):
        typer.echo("sign-in is off: serving this computer only", err=True)
    else:
        typer.echo(f"warning: serving on {host} without sign-in: everyone who can reach it reads the dashboard "
                   "as a viewer (no changes possible)", err=True)
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file), "--server.headless", "true",
        "--server.address", host, "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",  # no "Deploy" button: this is a served tool, not a dev session
    ]
    # Become Streamlit rather than wait for it: a service manager's SIGTERM then stops the server
    # itself (as a child it was left serving once okrfunnel exited).
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)


def main() -> None:
    """The ``okrfunnel`` command: the app, then an exit without the interpreter's teardown.

    Every file is closed and every warehouse swapped in before the app returns; what teardown
    would still do is unload the modules Great Expectations imported (pandas, SQLAlchemy, ...),
    which took 0.8 s after every ingest and added nothing.
    """
    code = 0
    try:
        app(prog_name="okrfunnel")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # a reader such as `head` stopped early: Python's own exit status
            code = code or 120
    os._exit(code)
