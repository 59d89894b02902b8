"""Quarter-over-quarter impact: every funnel metric and every KR's metric against the previous
quarter, the change of each additive metric split by channel and by platform, and the
comparison with the quarter before the team adopted OKRs ("SQLs up 8x, cost down 70%").

A cycle still running is compared like for like: its days so far against the same number of
days from the start of the other quarter.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import duckdb

from pipelines.config import Settings
from pipelines.errors import ConfigError, MetricError
from pipelines.metrics import METRICS, Period, compute, date_range, parse_period
from pipelines.okr_eval import Cycle, cycles, filters_text, has_data, resolve_as_of

FUNNEL_METRICS = (
    "leads", "mqls", "sqls", "opportunities", "wins", "won_revenue", "mql_to_sql_rate", "sql_to_won_rate",
    "spend", "impressions", "clicks", "cost_per_mql", "cost_per_sql", "followers", "net_new_followers",
)
SPLIT_DIMENSIONS = ("channel", "platform")
MONEY = ("spend", "won_revenue")
COLUMNS = ("section", "metric", "kr_id", "filters", "dimension", "member", "period", "compared_to",
           "value", "previous", "change", "pct_change", "multiple")


def impact(con: duckdb.DuckDBPyConnection, cycle_label: str, settings: Settings | None = None,
           as_of: date | None = None) -> list[dict]:
    """Rows of four sections: ``quarter`` (each metric against the previous quarter), ``kr`` (each
    KR's metric with its filters), ``split`` (an additive metric's change per channel and per
    platform; the parts add up to the whole to the cent) and ``since_adoption``.

    Raises:
        ConfigError: not a quarter, or no adoption baseline can be found.
    """
    settings = settings or Settings()
    current = _as_cycle(con, cycle_label, settings)
    day = resolve_as_of(con, current, as_of)
    if not has_data(con, current.start, current.end):
        raise ConfigError(f"no data in {current.label}", column="--cycle", value=cycle_label,
                          hint="load the exports of that quarter first (okrfunnel runs lists what is loaded)")
    now = Period(current.label, current.start, current.end, "quarter") if day >= current.end else date_range(current.start, day)
    previous_quarter = parse_period(current.label, settings.fiscal_year_start_month).previous()
    before = _like_for_like(previous_quarter, current, day)
    whole = _values(con, [now, before], list(FUNNEL_METRICS), {}, settings)
    rows = [_row("quarter", m, now, before, *whole[m]) for m in FUNNEL_METRICS]
    for kr in _metric_krs(con, current.label):
        value, prev = _values(con, [now, before], [kr["metric"]], kr["filters"], settings)[kr["metric"]]
        rows.append(_row("kr", kr["metric"], now, before, value, prev, kr_id=kr["kr_id"], filters=filters_text(kr["filters"])))
    # One query per dimension and metric family: a member is listed for the metrics of the
    # facts it appears in (a platform with cost rows gets no lead counts of 0).
    families: dict[str, list[str]] = {}
    for metric in (m for m in FUNNEL_METRICS if METRICS[m].additive):
        families.setdefault(METRICS[metric].family, []).append(metric)
    for dim in SPLIT_DIMENSIONS:
        split = {}
        for names in families.values():
            by_member = compute(con, [now, before], names, by=dim, settings=settings)
            split |= {m: _split(by_member, m, dim, now, before, whole[m]) for m in names}
        for metric in (m for m in FUNNEL_METRICS if m in split):
            rows.extend(split[metric])
    baseline = _adoption_baseline(con, settings)
    if baseline is not None:
        since = _like_for_like(baseline, current, day)
        values = _values(con, [now, since], list(FUNNEL_METRICS), {}, settings)
        rows.extend(_row("since_adoption", m, now, since, *values[m]) for m in FUNNEL_METRICS)
    return [{c: row.get(c) for c in COLUMNS} for row in rows]


def _as_cycle(con: duckdb.DuckDBPyConnection, label: str, settings: Settings) -> Cycle:
    for cycle in cycles(con):
        if cycle.label == label:
            return cycle
    try:
        period = parse_period(label, settings.fiscal_year_start_month)
    except MetricError:
        period = None
    if period is None or period.kind != "quarter":
        raise ConfigError("not a quarter", column="--cycle", value=label, expected="a quarter such as 2026-Q3")
    return Cycle(period.label, period.start, period.end, False)


def _like_for_like(other: Period, current: Cycle, day: date) -> Period:
    if day >= current.end:
        return other
    return date_range(other.start, min(other.end, other.start + (day - current.start)))


def _values(con, periods: list[Period], names: list[str], filters: dict, settings: Settings) -> dict[str, tuple]:
    """Each period on its own, its cohorts converting only within it (``known_by`` = its last
    day): a running quarter's young cohorts against the same span of the other quarter, and the
    same conversions ``okrfunnel krs`` counts."""
    rows = {}
    for period in periods:
        rows |= {r["period"]: r for r in compute(con, [period], names, filters=filters, settings=settings, known_by=period.end)}
    return {n: tuple(_plain(rows.get(p.label, {}).get(n), n) for p in periods) for n in names}


def _plain(value, metric: str):
    if value is None:
        return None
    if metric in MONEY:
        return float(Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_EVEN))
    return float(value) if isinstance(value, (float, Decimal)) else value


def _row(section: str, metric: str, now: Period, before: Period, value, previous, **extra) -> dict:
    change = None if value is None or previous is None else _tidy(value - previous, metric)
    pct = None if change is None or not previous else round(change / previous, 4)
    multiple = None if section != "since_adoption" or value is None or not previous else round(value / previous, 4)
    return {"section": section, "metric": metric, "period": now.label, "compared_to": before.label,
            "value": value, "previous": previous, "change": change, "pct_change": pct, "multiple": multiple, **extra}


def _tidy(number, metric: str):
    return round(number, 2) if metric in MONEY else number


def _split(by_member: list[dict], metric: str, dim: str, now: Period, before: Period, whole: tuple) -> list[dict]:
    """Per member of ``dim``: value, previous and change, rounded so the parts add up exactly to
    the whole row of the ``quarter`` section (money to the cent)."""
    parts: dict[object, list] = {}
    for row in by_member:
        if row[metric] is not None:  # a member without this metric has no part of it
            parts.setdefault(row[dim] or "(none)", [0, 0])[0 if row["period"] == now.label else 1] = row[metric]
    if not parts:
        return []
    for column in (0, 1):
        # No data at all in a period (a first quarter of cost data): its parts are unknown, not 0.
        exact = [None] * len(parts) if whole[column] is None else _add_up([p[column] for p in parts.values()], whole[column], metric)
        for part, value in zip(parts.values(), exact):
            part[column] = value
    return [
        _row("split", metric, now, before, value, previous, dimension=dim, member=member)
        for member, (value, previous) in sorted(parts.items(), key=lambda kv: (-abs((kv[1][0] or 0) - (kv[1][1] or 0)), str(kv[0])))
    ]


def _add_up(values: list, whole, metric: str) -> list:
    """Money rounded to the cent per part can miss the rounded whole by a cent or two; the largest
    part absorbs it, so a waterfall's bars end exactly at the total. Counts add up as they are."""
    if metric not in MONEY:
        return [int(v) if float(v).is_integer() else float(v) for v in values]
    cents = [Decimal(str(v)).quantize(Decimal("0.01"), ROUND_HALF_EVEN) for v in values]
    biggest = max(range(len(cents)), key=lambda i: abs(cents[i]))
    cents[biggest] += Decimal(str(whole)).quantize(Decimal("0.01"), ROUND_HALF_EVEN) - sum(cents)
    return [float(c) for c in cents]


def _metric_krs(con: duckdb.DuckDBPyConnection, cycle: str) -> list[dict]:
    return [{"kr_id": r[0], "metric": r[1], "filters": json.loads(r[2])} for r in con.execute(
        """SELECT k.kr_id, k.metric, k.filters FROM key_result k JOIN objective o USING (cycle, objective_id)
           WHERE k.cycle = ? AND k.metric IS NOT NULL ORDER BY o.position, k.position""", [cycle]).fetchall()]


def _adoption_baseline(con: duckdb.DuckDBPyConnection, settings: Settings) -> Period | None:
    """The configured ``[okr] adoption_baseline``, else the quarter before the first cycle with OKRs."""
    if settings.okr.adoption_baseline:
        try:
            return parse_period(settings.okr.adoption_baseline, settings.fiscal_year_start_month)
        except MetricError:
            raise ConfigError("bad adoption_baseline", file=settings.config_file, column="okr.adoption_baseline",
                              value=settings.okr.adoption_baseline, expected='a period such as "2026-Q2"') from None
    known = cycles(con)
    if not known:
        return None
    first = parse_period(known[0].label, settings.fiscal_year_start_month)
    return first.previous()
