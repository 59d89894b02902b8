"""What the CEO is shown at quarter end, once: the deck of slides that the Present page, the HTML
report, its PDF print and the PPTX all render (issue 5, "Presenting to the CEO").

Two steps. ``gather`` reads the numbers from the shared layer (``okrfunnel krs``, ``objectives``,
``scores`` and ``impact`` for the same cycle and as-of day) and the cycle's review notes; the
dashboard caches it like any other query. ``deck`` turns them into slides in one language: every
text and number already formatted, one chart per slide, so no renderer formats anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import plotly.graph_objects as go

from dashboard.charts.funnel import quarter_label
from dashboard.charts.overview import attainment_bars
from dashboard.charts.quarter_review import waterfall
from dashboard.format import change, day, metric_value, percent
from dashboard.i18n import catalogue
from pipelines.config import Settings
from pipelines.errors import OkrfunnelError
from pipelines.okr_eval import evaluate, get_cycle
from pipelines.okr_eval import objectives as objective_rows
from pipelines.okr_impact import impact
from pipelines.okr_scores import review_notes, scores

STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "no_data")
QUARTER_TILES = ("leads", "mqls", "sqls", "wins", "won_revenue", "spend", "cost_per_sql", "mql_to_sql_rate")
HEADLINE = ("sqls", "mqls", "won_revenue", "cost_per_sql")  # the since-adoption sentence
WATERFALL_METRIC = "sqls"  # the KR the article's method leads with: qualified pipeline
CHART_FONT_SIZE = 16  # charts are read across a meeting room


@dataclass(frozen=True)
class ReportData:
    """The numbers behind a deck, in no language: rows as the CLI prints them."""

    cycle: str
    as_of: date | None
    currency: str | None
    fiscal_year_start_month: int
    krs: list[dict]
    objectives: list[dict]
    scores: list[dict]
    impact: list[dict]
    notes: dict[str, list[dict]]  # "lessons" / "next_steps": each {"text", "by"}
    ended: bool = False  # judged on the cycle's last day: outcomes are final (achieved or missed)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    keys: list[str]  # per row: the KR id or metric name it shows (tests and styling find rows by it)
    numeric: frozenset[int] = frozenset()  # columns aligned right
    tones: list[str | None] = field(default_factory=list)  # per row: the status colouring its status cell
    tone_column: int | None = None


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    detail: str = ""
    tone: str = ""  # a status: colours the value


@dataclass(frozen=True)
class Slide:
    kind: str  # summary | objective | quarter | adoption | lessons
    key: str
    title: str
    subtitle: str = ""
    lead: str = ""  # one sentence in large type
    tiles: list[Tile] = field(default_factory=list)
    table: Table | None = None
    figure: go.Figure | None = None
    lists: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, items)
    note: str = ""


@dataclass(frozen=True)
class Deck:
    cycle: str
    language: str
    title: str
    slides: list[Slide]


def gather(con: duckdb.DuckDBPyConnection, cycle_label: str, as_of: date | None = None,
           settings: Settings | None = None) -> ReportData:
    """Everything a deck shows, from the functions behind ``krs``, ``objectives``, ``scores`` and
    ``impact``, and the lessons and next steps recorded for the cycle's review.

    Raises:
        OkrfunnelError: no such cycle, or its numbers cannot be computed.
    """
    settings = settings or Settings()
    cycle = get_cycle(con, cycle_label)
    krs = evaluate(con, cycle.label, as_of, settings)
    try:
        rows = impact(con, cycle.label, settings, as_of)
    except OkrfunnelError as exc:
        if exc.column != "--cycle":  # e.g. a bad adoption_baseline: said as the CLI says it
            raise
        rows = []  # a quarter without data yet: nothing to compare
    return ReportData(
        cycle=cycle.label, as_of=krs[0]["as_of"] if krs else None,
        currency=settings.reporting_currency or _single_currency(con),
        fiscal_year_start_month=settings.fiscal_year_start_month, krs=krs,
        objectives=objective_rows(con, cycle.label, krs), scores=scores(con, cycle.label, settings), impact=rows,
        notes=review_notes(con, cycle.label), ended=bool(krs) and krs[0]["as_of"] >= cycle.end,
    )


def _single_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    from pipelines.catalog import currencies

    found = currencies(con)
    return found[0] if len(found) == 1 else None


def deck(data: ReportData, language: str) -> Deck:
    """The slides, in order: the cycle's summary, one per objective, the change against last
    quarter with its waterfall, the comparison since adopting OKRs, lessons and next steps."""
    words = _Words(data, language)
    title = words.text["report.title"].format(cycle=data.cycle)
    slides = [_summary(data, words, title)]
    slides += [_objective(o, data, words) for o in data.objectives]
    quarter = {r["metric"]: r for r in data.impact if r["section"] == "quarter"}
    if quarter:
        slides.append(_quarter(data, quarter, words))
    since = [r for r in data.impact if r["section"] == "since_adoption"]
    if since:
        slides.append(_adoption(since, data, words))
    slides.append(_lessons(data, words))
    return Deck(data.cycle, language, title, slides)


class _Words:
    """One language's texts and number formats for one report."""

    def __init__(self, data: ReportData, language: str):
        self.text = catalogue(language)
        self.language = language
        self.currency = data.currency

    def __call__(self, key: str, **values) -> str:
        return self.text[key].format(**values) if values else self.text[key]

    def value(self, metric: str | None, number) -> str:
        return metric_value(metric, number, self.currency, self.language)

    def change(self, metric: str, number) -> str:
        return change(metric, number, self.currency, self.language)

    def member(self, name) -> str:
        if name in (None, "(none)"):
            return self.text["funnel.unset"]
        return self.text.get(f"funnel.channel_{name}", str(name))

    def span(self, label: str) -> str:
        """``2026-07-01..2026-08-22`` as the language writes dates; a quarter's name as it is."""
        if ".." not in label:
            return label
        start, end = (date.fromisoformat(d) for d in label.split(".."))
        return f"{day(start, self.language)} – {day(end, self.language)}"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _summary(data: ReportData, words: _Words, title: str) -> Slide:
    counts = {s: sum(1 for r in data.krs if r["status"] == s) for s in STATUS_ORDER}
    tiles = [Tile(words(f"status.{s}"), str(counts[s]), tone=s) for s in STATUS_ORDER if counts[s]]
    if data.ended:  # "on track" on the last day tells a CEO nothing: reached or not
        missed = sum(counts[s] for s in ("on_track", "at_risk", "off_track"))
        tiles = [Tile(words("status.achieved"), str(counts["achieved"]), tone="achieved"),
                 Tile(words("present.missed"), str(missed), tone="off_track")]
        if counts["no_data"]:
            tiles.append(Tile(words("status.no_data"), str(counts["no_data"]), tone="no_data"))
    objective_score = {r["objective_id"]: r["score"] for r in data.scores if r["level"] == "objective"}
    department = next((r["score"] for r in data.scores if r["level"] == "department"), None)
    table = Table(
        columns=[words("column.objective"), words("column.owner"), words("column.progress"), words("present.score")],
        rows=[[f"{o['objective_id']} {o['objective']}", o["owner"] or "–", percent(o["progress"]),
               _score(objective_score.get(o["objective_id"]))] for o in data.objectives],
        keys=[o["objective_id"] for o in data.objectives], numeric=frozenset({2, 3}),
    )
    subtitle = words("report.as_of", day=day(data.as_of, words.language))
    if department is not None:
        subtitle += words("present.separator") + words("present.department_score", score=_score(department))
    return Slide("summary", "summary", title, subtitle=subtitle, lead=_since_sentence(data, words),
                 tiles=tiles, table=table)


def _objective(objective: dict, data: ReportData, words: _Words) -> Slide:
    mine = [r for r in data.krs if r["objective_id"] == objective["objective_id"]]
    scored = {r["kr_id"]: r for r in data.scores if r["level"] == "kr"}
    roll_up = next((r for r in data.scores if r["level"] == "objective"
                    and r["objective_id"] == objective["objective_id"]), {"score": None})
    facts = [words("present.owner", owner=objective["owner"] or "–"),
             words("report.progress", progress=percent(objective["progress"]))]
    if roll_up["score"] is not None:
        # A mean of some KRs only must say so: the CEO would read it as the objective's score.
        partial = roll_up["krs_scored"] < roll_up["krs_total"]
        facts.append(words("present.objective_score_partial" if partial else "present.objective_score",
                           score=_score(roll_up["score"]), scored=roll_up["krs_scored"], total=roll_up["krs_total"]))
    table = Table(
        columns=[words(k) for k in ("column.kr", "column.owner", "column.target", "column.actual", "column.attainment",
                                    "column.status", "report.suggested", "report.final")],
        rows=[[f"{r['kr_id']} {r['kr']}", r["owner"] or "–", words.value(r["metric"], r["target"]),
               words.value(r["metric"], r["actual"]), percent(r["attainment"]), words(f"status.{r['status']}"),
               _score(scored.get(r["kr_id"], {}).get("suggested")), _score(scored.get(r["kr_id"], {}).get("final"))]
              for r in mine],
        keys=[r["kr_id"] for r in mine], numeric=frozenset({2, 3, 4, 6, 7}),
        tones=[r["status"] for r in mine], tone_column=5,
    )
    figure = None
    if mine:
        figure = attainment_bars(mine, mine[0]["expected"], {r["kr_id"]: r["kr"] for r in mine}, words("column.expected"))
        _large(figure)
    return Slide("objective", objective["objective_id"], f"{objective['objective_id']} · {objective['objective']}",
                 subtitle=words("present.separator").join(facts), table=table if mine else None, figure=figure,
                 note="" if mine else words("present.no_krs"))


def _quarter(data: ReportData, quarter: dict[str, dict], words: _Words) -> Slide:
    first = quarter[QUARTER_TILES[0]]
    tiles = [Tile(words(f"metric.{m}"), words.value(m, quarter[m]["value"]),
                  words("present.tile_change", change=words.change(m, quarter[m]["change"]),
                        pct=percent(quarter[m]["pct_change"], signed=True)))
             for m in QUARTER_TILES]
    whole = quarter[WATERFALL_METRIC]
    parts = [r for r in data.impact if r["section"] == "split" and r["metric"] == WATERFALL_METRIC
             and r["dimension"] == "channel"]
    figure = None
    if parts and whole["previous"] is not None:
        texts = [words.value(WATERFALL_METRIC, whole["previous"]),
                 *(("+" if (p["change"] or 0) > 0 else "") + words.value(WATERFALL_METRIC, p["change"]) for p in parts),
                 words.value(WATERFALL_METRIC, whole["value"])]
        figure = waterfall(parts, whole, words("review.bar_previous"), words("review.bar_value"),
                           {p["member"]: words.member(p["member"]) for p in parts}, texts)
        figure.update_layout(height=300)  # with two rows of tiles and its note on one printed page
        _large(figure)
    return Slide("quarter", "quarter", words("report.quarter"),
                 subtitle=compared_text(words, words.span, first["period"], first["compared_to"]),
                 tiles=tiles, figure=figure,
                 note=words("review.waterfall_note", metric=words(f"metric.{WATERFALL_METRIC}")) if figure else "")


def _baseline(data: ReportData) -> str:
    """The quarter before OKRs by its name, also when a running cycle compares only its first days."""
    compared = next(r["compared_to"] for r in data.impact if r["section"] == "since_adoption")
    if ".." not in compared:
        return compared
    return quarter_label(date.fromisoformat(compared.split("..")[0]), data.fiscal_year_start_month)


def compared_text(text, span, period: str, previous: str) -> str:
    """What a comparison compares: a running quarter (a span of days) is compared day for day, a
    whole one needs no such note."""
    key = "review.compared" if ".." in period else "review.compared_whole"
    return text(key, period=span(period), previous=span(previous))


def since_changes(since: dict[str, dict], text) -> list[str]:
    """The headline metrics since adopting OKRs, as the Quarter review page and the deck say them:
    growth as a multiple ("SQLs 3.1x"), a fall or a cost as a change ("Won revenue -16%": "0.8x"
    reads as growth to a CEO). ``text`` is ``t`` or a deck's words: (key, **values) -> str."""
    return [text("review.since_multiple", metric=text(f"metric.{m}"), multiple=f"{since[m]['multiple']:.1f}")
            if not m.startswith("cost_per") and since[m]["multiple"] >= 1 else
            text("review.since_pct", metric=text(f"metric.{m}"), pct=percent(since[m]["pct_change"], signed=True))
            for m in HEADLINE if m in since and since[m]["multiple"] is not None]


def _since_sentence(data: ReportData, words: _Words) -> str:
    since = {r["metric"]: r for r in data.impact if r["section"] == "since_adoption"}
    changes = since_changes(since, words)
    if not changes:
        return ""
    return words("review.since_sentence", changes=words("review.separator").join(changes), baseline=_baseline(data))


def _adoption(since: list[dict], data: ReportData, words: _Words) -> Slide:
    baseline = _baseline(data)
    shown = [r for r in since if r["metric"] in QUARTER_TILES]  # a slide's worth: the quarter slide's metrics
    table = Table(
        columns=[words("review.metric"), words("review.value"), words("review.previous", period=baseline),
                 words("review.pct_change"), words("review.multiple")],
        rows=[[words(f"metric.{r['metric']}"), words.value(r["metric"], r["value"]), words.value(r["metric"], r["previous"]),
               words.change(r["metric"], r["change"]), "–" if r["multiple"] is None else f"{r['multiple']:.2f}×"]
              for r in shown],
        keys=[r["metric"] for r in shown], numeric=frozenset({1, 2, 3, 4}),
    )
    return Slide("adoption", "adoption", words("report.since", baseline=baseline), lead=_since_sentence(data, words),
                 subtitle=compared_text(words, words.span, since[0]["period"], since[0]["compared_to"]),
                 table=table)


def _lessons(data: ReportData, words: _Words) -> Slide:
    def items(notes: list[dict]) -> list[str]:
        return [words("present.note_by", text=n["text"], by=n["by"]) if n.get("by") else n["text"] for n in notes]

    lists = [(words("present.lessons"), items(data.notes["lessons"])),
             (words("present.next_steps"), items(data.notes["next_steps"]))]
    empty = not any(found for _, found in lists)
    return Slide("lessons", "lessons", words("present.lessons_title"), lists=lists,
                 note=words("present.no_notes") if empty else "")


def _large(figure: go.Figure) -> None:
    figure.update_layout(font_size=CHART_FONT_SIZE)
    figure.update_xaxes(automargin=True)  # the larger tick labels still fit
    figure.update_yaxes(automargin=True)
