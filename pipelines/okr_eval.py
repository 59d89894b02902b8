"""Key results evaluated against the warehouse as of a date: actual, attainment, status, forecast,
the data's chance of reaching the target, and objective progress.

The one implementation behind ``okrfunnel krs``, the dashboard and the reports. Semantics are
PRODUCT.md's "KRs bound to metrics"; the forecast and chance methods are in docs/okrs.md.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from statistics import NormalDist, stdev

import duckdb

from pipelines.config import OkrSettings, Settings
from pipelines.errors import ConfigError
from pipelines.metrics import METRICS, compute, date_range, latest_data_date
from pipelines.okr_confidence import CheckInRow, current_flags, load_checkins

STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")
MIN_WEEKS_FOR_CHANCE = 3  # two week-to-week changes are the least that show a spread
RECENT_WEEKS = 4  # the pace a ratio's parts keep is read over the last four whole weeks


@dataclass(frozen=True)
class Cycle:
    label: str
    start: date
    end: date
    closed: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def cycles(con: duckdb.DuckDBPyConnection) -> list[Cycle]:
    """Every cycle with OKRs, oldest first."""
    return [Cycle(r[0], r[1], r[2], r[3] is not None) for r in con.execute(
        "SELECT cycle, start_date, end_date, closed_at FROM okr_cycle ORDER BY start_date").fetchall()]


def get_cycle(con: duckdb.DuckDBPyConnection, label: str) -> Cycle:
    """Raises: ConfigError naming the cycles there are."""
    known = cycles(con)
    for cycle in known:
        if cycle.label == label:
            return cycle
    raise ConfigError(
        "no OKRs loaded for this cycle", column="--cycle", value=label,
        expected=", ".join(c.label for c in known) or "a cycle: load one with `okrfunnel okrs load FILE` or run `okrfunnel demo`",
    )


def checkins_until(cycle: Cycle, as_of: date | None) -> date:
    """The last day whose check-ins count: the as-of day when one is asked for, else the cycle's
    end (every check-in made so far, whatever day the data reaches)."""
    return min(as_of, cycle.end) if as_of is not None else cycle.end


def resolve_as_of(con: duckdb.DuckDBPyConnection, cycle: Cycle, as_of: date | None) -> date:
    """``as_of``, or the newest day with data within the cycle; a day after the cycle means its end.

    Raises:
        ConfigError: ``as_of`` before the cycle starts.
    """
    if as_of is not None:
        if as_of < cycle.start:
            raise ConfigError("--as-of is before the cycle starts", column="--as-of", value=str(as_of),
                              expected=f"a date from {cycle.start} ({cycle.label})")
        return min(as_of, cycle.end)
    return _newest_data(con, cycle.start, cycle.end) or cycle.start


def has_data(con: duckdb.DuckDBPyConnection, start: date, end: date) -> bool:
    return _newest_data(con, start, end) is not None


def _newest_data(con: duckdb.DuckDBPyConnection, start: date, end: date) -> date | None:
    return con.execute(
        """SELECT max(day) FROM (
               SELECT max(day) AS day FROM funnel_daily WHERE day BETWEEN $s AND $e
               UNION ALL SELECT max(date) FROM channel_daily WHERE date BETWEEN $s AND $e
               UNION ALL SELECT max(date) FROM follower_daily WHERE date BETWEEN $s AND $e)""",
        {"s": start, "e": end},
    ).fetchone()[0]


def evaluate(con: duckdb.DuckDBPyConnection, cycle_label: str, as_of: date | None = None,
             settings: Settings | None = None) -> list[dict]:
    """One row per KR of the cycle, in file order, as ``okrfunnel krs`` prints them.

    Definitions are those in force on the as-of day (a target revised later shows its old
    value), data the days up to it, check-ins those made by then. Without ``as_of`` (now) every
    check-in counts, those made after the data's last day too: exports lag, and a Monday
    check-in must show before the next load.
    """
    settings = settings or Settings()
    cycle = get_cycle(con, cycle_label)
    day = resolve_as_of(con, cycle, as_of)
    expected = ((day - cycle.start).days + 1) / cycle.days
    checkins = load_checkins(con, cycle.label, checkins_until(cycle, as_of))
    rows = []
    for kr in _key_results(con, cycle.label, day):
        mine = [c for c in checkins if c.kr_id == kr["kr_id"]]
        if kr["kind"] == "manual":
            measured = _manual(kr, mine)
        else:
            measured = _measured(con, kr, cycle, day, settings)
        attainment = _attainment(kr, measured["actual"])
        status = _status(attainment, expected, settings.okr)
        confidence_start = kr.pop("confidence_start")
        if confidence_start is None and mine:
            confidence_start = mine[0].confidence
        rows.append({
            "cycle": cycle.label, **kr, "filters": filters_text(kr["filters"]),
            "actual": measured["actual"], "attainment": _round(attainment), "expected": _round(expected),
            "status": status, "forecast": _round(measured["forecast"]), "chance": _round(measured["chance"]),
            "confidence": mine[-1].confidence if mine else confidence_start,
            "confidence_start": confidence_start,
            "confidence_flags": ",".join(current_flags(status, mine, cycle.start, day, settings.okr.stale_days)),
            "last_checkin": mine[-1].date if mine else None,
            "data_as_of": measured["data_as_of"], "as_of": day,
        })
    _objective_progress(rows)
    return rows


def objectives(con: duckdb.DuckDBPyConnection, cycle_label: str, rows: list[dict]) -> list[dict]:
    """Every objective of the cycle with its progress from ``evaluate``'s rows: the weighted mean
    of its KRs' attainment, each taken between 0 and 1 (an overshoot or a KR going backwards does
    not hide another KR). An objective without KRs has no progress."""
    cur = con.execute(
        "SELECT objective_id, title, owner, level, aligns_to FROM objective WHERE cycle = ? ORDER BY position", [cycle_label])
    progress = {r["objective_id"]: r["objective_progress"] for r in rows}
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["objective_id"]] = counts.get(row["objective_id"], 0) + 1
    return [{
        "cycle": cycle_label, "objective_id": oid, "objective": title, "owner": owner, "level": level,
        "aligns_to": aligns_to, "progress": progress.get(oid), "key_results": counts.get(oid, 0),
    } for oid, title, owner, level, aligns_to in cur.fetchall()]


def path_of(con: duckdb.DuckDBPyConnection, cycle_label: str, kr_id: str, as_of: date,
            settings: Settings | None = None) -> list[dict]:
    """A KR's value to date at the end of each whole week of the cycle and on ``as_of``: the line
    the KR page draws against its target (a manual KR: its check-in values)."""
    settings = settings or Settings()
    cycle = get_cycle(con, cycle_label)
    day = resolve_as_of(con, cycle, as_of)
    kr = next((k for k in _key_results(con, cycle.label, day) if k["kr_id"] == kr_id), None)
    if kr is None:
        raise ConfigError("no such key result in this cycle", column="kr_id", value=kr_id)
    if kr["kind"] == "manual":
        return [{"date": c.date, "value": c.value} for c in load_checkins(con, cycle.label, day)
                if c.kr_id == kr_id and c.value is not None]
    ends = sorted({*(d for d in _week_ends(cycle) if d <= day), day})
    periods = [date_range(cycle.start, end) for end in ends]
    values = {r["period"]: _number(r[kr["metric"]]) for r in compute(
        con, periods, [kr["metric"]], filters=kr["filters"], settings=settings, known_by=day)}
    return [{"date": p.end, "value": values.get(p.label)} for p in periods]


def _week_ends(cycle: Cycle) -> list[date]:
    return [cycle.start + timedelta(days=7 * n - 1) for n in range(1, cycle.days // 7 + 1)]


def _key_results(con: duckdb.DuckDBPyConnection, cycle: str, day: date) -> list[dict]:
    # A revision dated after the as-of day had not happened yet: the oldest such revision's old
    # value is the one then in force.
    cur = con.execute(
        """WITH later AS (
               SELECT kr_id, field, arg_min_null(old_value, (revision_date, recorded_at)) AS old_value
               FROM kr_revision WHERE cycle = $cycle AND revision_date > $day GROUP BY ALL)
           SELECT o.objective_id, o.title AS objective, o.owner AS objective_owner, o.level, o.aligns_to,
                  k.kr_id, k.title AS kr, k.owner, k.metric, k.kind, k.filters,
                  CASE WHEN bl.kr_id IS NULL THEN k.baseline ELSE bl.old_value END AS baseline,
                  CASE WHEN tg.kr_id IS NULL THEN k.target ELSE tg.old_value END AS target,
                  k.weight, k.confidence_start
           FROM key_result k JOIN objective o USING (cycle, objective_id)
           LEFT JOIN later bl ON bl.kr_id = k.kr_id AND bl.field = 'baseline'
           LEFT JOIN later tg ON tg.kr_id = k.kr_id AND tg.field = 'target'
           WHERE k.cycle = $cycle ORDER BY o.position, k.position""",
        {"cycle": cycle, "day": day},
    )
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    for row in rows:
        row["filters"] = json.loads(row["filters"])
    return rows


def filters_text(filters: dict[str, list[str]]) -> str:
    """``{"channel": ["a", "b"]}`` -> ``channel=a,b``: flat, for tables and CSV."""
    return "; ".join(f"{dim}={','.join(values)}" for dim, values in filters.items())


def _manual(kr: dict, mine: list[CheckInRow]) -> dict:
    values = [c for c in mine if c.value is not None]
    return {"actual": values[-1].value if values else None, "forecast": None, "chance": None,
            "data_as_of": values[-1].date if values else None}


def _measured(con: duckdb.DuckDBPyConnection, kr: dict, cycle: Cycle, day: date, settings: Settings) -> dict:
    """Actual to date, forecast to the cycle's end and the chance of reaching the target."""
    metric, filters = kr["metric"], kr["filters"]
    newest = latest_data_date(con, metric, {}, day)
    if newest is None or newest < cycle.start:
        # Nothing of the metric's kind is loaded for the cycle yet: no data, not a zero.
        return {"actual": None, "forecast": None, "chance": None, "data_as_of": None}
    parts = list(METRICS[metric].formula or ())
    week_ends = [d for d in _week_ends(cycle) if d <= day]
    weeks = [date_range(end - timedelta(days=6), end) for end in week_ends]  # each week on its own
    to_week_ends = [date_range(cycle.start, end) for end in week_ends]  # the value to date at each
    to_date = date_range(cycle.start, day)
    periods = list({p.label: p for p in [*weeks, *to_week_ends, to_date]}.values())
    values = {r["period"]: {n: _number(r[n]) for n in [metric, *parts]}
              for r in compute(con, periods, [metric, *parts], filters=filters, settings=settings, known_by=day)}
    actual = values.get(to_date.label, {}).get(metric)
    path = [values.get(p.label, {}).get(metric) for p in to_week_ends]
    remaining = (cycle.end - day).days
    if remaining == 0 or actual is None:
        forecast = actual
    elif kr["kind"] == "total":
        forecast = actual / (((day - cycle.start).days + 1) / cycle.days)
    elif parts:
        forecast = _recent_pace(values, to_date, weeks, parts, remaining) if weeks else actual
    elif metric.endswith("_rate"):
        forecast = actual  # a cohort rate has no parts to project: the rate so far
    else:
        forecast = _trend(cycle, week_ends, path, day, actual)
    if kr["kind"] == "total":
        spread = _spread([(values.get(p.label, {}).get(metric) or 0.0) for p in weeks])
    else:
        spread = _spread([b - a for a, b in pairwise(path) if a is not None and b is not None], changes=True)
    upward = kr["kind"] == "total" or (kr["baseline"] is not None and kr["target"] >= kr["baseline"])
    return {
        "actual": actual, "forecast": forecast,
        "chance": _chance(forecast, kr["target"], spread, remaining, upward, len(week_ends), actual),
        "data_as_of": latest_data_date(con, metric, filters, day),
    }


def _recent_pace(values: dict, to_date, weeks: list, parts: list[str], remaining: int) -> float | None:
    """A ratio such as cost per SQL at the cycle's end: each part to date plus its pace over the
    last (up to) four whole weeks for the days left. A straight line through the running ratio
    would carry its first weeks' swings (few SQLs, big ratios) to the end."""
    recent = weeks[-RECENT_WEEKS:]
    ends = []
    for name in parts:
        so_far = values.get(to_date.label, {}).get(name) or 0.0
        pace = sum(values.get(w.label, {}).get(name) or 0.0 for w in recent) / (7 * len(recent))
        ends.append(so_far + pace * remaining)
    numerator, denominator = ends
    return numerator / denominator if denominator else None


def _number(value) -> float | None:
    return None if value is None else float(value)


def _spread(values: list[float], changes: bool = False) -> float | None:
    """The standard deviation of weekly output (totals; a week without data produced 0) or of the
    week-to-week change of the value to date (levels)."""
    needed = MIN_WEEKS_FOR_CHANCE - 1 if changes else MIN_WEEKS_FOR_CHANCE
    return stdev(values) if len(values) >= needed else None


def _trend(cycle: Cycle, week_ends: list[date], series: list[float | None], day: date, actual: float | None) -> float | None:
    """Least-squares line through the value at each week's end and today, read at the cycle's end."""
    points = [((d - cycle.start).days, v) for d, v in zip(week_ends, series) if v is not None]
    if actual is not None and (not points or points[-1][0] != (day - cycle.start).days):
        points.append(((day - cycle.start).days, actual))
    if len(points) < 2:
        return actual
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y + slope * ((cycle.days - 1) - mean_x)


def _chance(forecast: float | None, target: float, spread: float | None, remaining_days: int,
            upward: bool, weeks: int, actual: float | None) -> float | None:
    """P(value at the cycle's end reaches the target), the end value taken as normal around the
    forecast with the weekly spread growing with the square root of the weeks left."""
    if remaining_days == 0 and actual is not None:
        return 1.0 if (actual >= target if upward else actual <= target) else 0.0
    if forecast is None or spread is None or weeks < MIN_WEEKS_FOR_CHANCE:
        return None
    sd = spread * math.sqrt(remaining_days / 7)
    if sd == 0:
        return 1.0 if (forecast >= target if upward else forecast <= target) else 0.0
    below = NormalDist(forecast, sd).cdf(target)
    return 1 - below if upward else below


def _attainment(kr: dict, actual: float | None) -> float | None:
    if actual is None:
        return None
    baseline, target = kr["baseline"], kr["target"]
    if kr["kind"] == "total" or (kr["kind"] == "manual" and baseline is None):
        return actual / target if target else None
    return (actual - baseline) / (target - baseline)


def _status(attainment: float | None, expected: float, margins: OkrSettings) -> str:
    if attainment is None:
        return "no_data"
    if attainment >= 1:
        return "achieved"
    if attainment >= expected - margins.on_track_margin:
        return "on_track"
    if attainment >= expected - margins.at_risk_margin:
        return "at_risk"
    return "off_track"


def _objective_progress(rows: list[dict]) -> None:
    totals: dict[str, list[float]] = {}
    for row in rows:
        share = min(max(row["attainment"] or 0.0, 0.0), 1.0)
        acc = totals.setdefault(row["objective_id"], [0.0, 0.0])
        acc[0] += share * row["weight"]
        acc[1] += row["weight"]
    for row in rows:
        done, weight = totals[row["objective_id"]]
        row["objective_progress"] = _round(done / weight)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
