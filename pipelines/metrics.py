"""The one place metrics are defined: periods, base metrics from ``sql/metrics``, derived ratios.

The CLI, the dashboard and the reports all call ``compute``; none computes a metric its own way.
Semantics are PRODUCT.md's "Funnel semantics"; docs/metrics.md lists each metric.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from pipelines.config import Settings
from pipelines.errors import MetricError
from pipelines.warehouse import read_sql

DIMENSIONS = ("channel", "platform", "campaign", "region", "product", "account")


@dataclass(frozen=True)
class Metric:
    name: str
    family: str  # the sql/metrics file that computes it, or "derived"
    description: str
    additive: bool = True
    formula: tuple[str, str] | None = None  # derived: numerator / denominator


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("leads", "funnel_counts", "leads created in the period"),
    Metric("mqls", "funnel_counts", "leads that became MQL in the period"),
    Metric("sqls", "funnel_counts", "leads that became SQL in the period"),
    Metric("opportunities", "funnel_counts", "leads that became an opportunity in the period"),
    Metric("wins", "funnel_counts", "deals won in the period"),
    Metric("won_revenue", "funnel_counts", "amount of the deals won in the period (reporting currency)"),
    Metric("mql_to_sql_rate", "funnel_cohorts", "share of the period's new MQLs that have an SQL date", additive=False),
    Metric("sql_to_won_rate", "funnel_cohorts", "share of the period's new SQLs that were won", additive=False),
    Metric("spend", "channel_totals", "cost over all cost sources (reporting currency)"),
    Metric("impressions", "channel_totals", "ad impressions"),
    Metric("clicks", "channel_totals", "ad clicks"),
    Metric("cost_per_mql", "derived", "spend / mqls", additive=False, formula=("spend", "mqls")),
    Metric("cost_per_sql", "derived", "spend / sqls", additive=False, formula=("spend", "sqls")),
    Metric("followers", "followers", "cumulative followers on the last day with data, summed over accounts", additive=False),
    Metric("net_new_followers", "followers", "followers minus followers at the previous period's end"),
    Metric("top_competitor_followers", "followers", "the largest competitor account's followers on the last day with data (benchmark accounts)", additive=False),
)}


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive
    kind: str  # quarter | month | week | year | range

    def previous(self) -> "Period":
        if self.kind == "range":
            days = (self.end - self.start).days + 1
            start = self.start - timedelta(days=days)
            end = self.start - timedelta(days=1)
            return Period(f"{start}..{end}", start, end, "range")
        if self.kind == "week":
            return _week_period(self.start - timedelta(days=7))
        if self.kind == "month":
            return _month_period((self.start - timedelta(days=1)).replace(day=1))
        months = 3 if self.kind == "quarter" else 12
        start = _add_months(self.start, -months)
        return Period(_relabel(self, start), start, self.start - timedelta(days=1), self.kind)

    def as_json(self) -> dict:
        prev = self.previous()
        return {"period": self.label, "start_date": str(self.start), "end_date": str(self.end),
                "prev_start": str(prev.start), "prev_end": str(prev.end)}


_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str, fiscal_start_month: int = 1) -> Period:
    """Read a period as PRODUCT.md writes them.

    A fiscal year is named by the calendar year it starts in: with a July start, 2026-Q1 is
    July-September 2026.

    >>> parse_period("2026-Q3")
    Period(label='2026-Q3', start=datetime.date(2026, 7, 1), end=datetime.date(2026, 9, 30), kind='quarter')
    >>> parse_period("2026-W01").start
    datetime.date(2025, 12, 29)
    >>> parse_period("2026-Q1", fiscal_start_month=4).start
    datetime.date(2026, 4, 1)
    """
    value = text.strip()
    try:
        if m := _QUARTER.match(value):
            start = _add_months(date(int(m[1]), fiscal_start_month, 1), 3 * (int(m[2]) - 1))
            return Period(f"{m[1]}-Q{m[2]}", start, _add_months(start, 3) - timedelta(days=1), "quarter")
        if m := _MONTH.match(value):
            return _month_period(date(int(m[1]), int(m[2]), 1))
        if m := _WEEK.match(value):
            return _week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := _YEAR.match(value):
            start = date(int(m[1]), fiscal_start_month, 1)
            return Period(m[1], start, _add_months(start, 12) - timedelta(days=1), "year")
        if m := _RANGE.match(value):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise ValueError("the range ends before it starts")
            return Period(value, start, end, "range")
    except ValueError as exc:
        raise MetricError(f"bad period: {exc}", column="--period", value=text) from None
    raise MetricError(
        "bad period", column="--period", value=text,
        expected="2026-Q3, 2026-07, 2026-W27, 2026 or 2026-07-01..2026-09-30",
    )


def date_range(start: date, end: date) -> Period:
    """The period from ``start`` to ``end`` inclusive, as ``--period a..b`` gives it."""
    return Period(f"{start}..{end}", start, end, "range")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_period(first: date) -> Period:
    return Period(f"{first:%Y-%m}", first, _add_months(first, 1) - timedelta(days=1), "month")


def _week_period(day: date) -> Period:
    year, week, _ = day.isocalendar()
    start = date.fromisocalendar(year, week, 1)
    return Period(f"{year}-W{week:02d}", start, start + timedelta(days=6), "week")


def _relabel(period: Period, start: date) -> str:
    """The label of the period of the same kind starting at ``start`` (quarters and years)."""
    if period.kind == "year":
        return str(int(period.label) - 1)
    year, quarter = int(period.label[:4]), int(period.label[-1])
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return f"{year}-Q{quarter}"


# --- computing --------------------------------------------------------------------------------


def parse_filters(items: list[str]) -> dict[str, list[str]]:
    """``channel=paid_search,paid_social`` -> ``{"channel": ["paid_search", "paid_social"]}``."""
    out: dict[str, list[str]] = {}
    for item in items:
        dim, sep, values = item.partition("=")
        dim = dim.strip()
        if not sep or dim not in DIMENSIONS or not values.strip():
            raise MetricError(
                "bad filter", column="--filter", value=item,
                expected=f"DIM=VALUE[,VALUE] with DIM one of {', '.join(DIMENSIONS)}",
            )
        out.setdefault(dim, []).extend(v.strip() for v in values.split(",") if v.strip())
    return out


def compute(
    con: duckdb.DuckDBPyConnection,
    periods: list[Period],
    names: list[str],
    *,
    by: str | None = None,
    filters: dict[str, list[str]] | None = None,
    settings: Settings | None = None,
    known_by: date | None = None,
) -> list[dict]:
    """One row per period (and value of ``by``) with one key per metric, in the order asked.

    ``known_by`` limits cohort conversions to those that happened by that day (an as-of
    evaluation: what the rate was then); by default a cohort converts as of the data.

    Raises:
        MetricError: an unknown metric or dimension, or a currency without an exchange rate.
    """
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise MetricError(f"unknown metric {unknown[0]!r}", column="--metric", expected=", ".join(METRICS))
    if by is not None and by not in DIMENSIONS:
        raise MetricError(f"unknown dimension {by!r}", column="--by", expected=", ".join(DIMENSIONS))
    filters = filters or {}
    needed = _families(names)
    params = {
        "periods": json.dumps([{**p.as_json(), "known_by": None if known_by is None else str(known_by)} for p in periods]),
        "fx": json.dumps(_fx_rates(con, settings or Settings(), needed)),
        **{f"f_{dim}": values for dim, values in filters.items()},
    }
    dim_sql = f"f.{by}" if by else "NULL::VARCHAR"
    where = " AND ".join(f"list_contains($f_{dim}, f.{dim})" for dim in filters) or "true"
    head = read_sql("metrics/_periods.sql")
    merged: dict[tuple, dict] = {(p.label, None): {} for p in periods} if by is None else {}
    for family in needed:
        sql = head + read_sql(f"metrics/{family}.sql").format(dim=dim_sql, filters=where)
        family_params = {k: v for k, v in params.items() if f"${k}" in sql}
        cur = con.execute(sql, family_params)
        columns = [d[0] for d in cur.description]
        for row in cur.fetchall():
            record = dict(zip(columns, row))
            merged.setdefault((record.pop("period"), record.pop("dim")), {}).update(record)
    order = {p.label: i for i, p in enumerate(periods)}
    rows = []
    for (period, dim_value), values in sorted(merged.items(), key=lambda kv: (order[kv[0][0]], kv[0][1] is None, str(kv[0][1]))):
        row = {"period": period}
        if by:
            row[by] = dim_value
        for name in names:
            row[name] = _value(METRICS[name], values)
        rows.append(row)
    return rows


_FAMILY_DATES = {
    "funnel_counts": ("funnel_daily", "day", ("channel", "platform", "campaign", "region", "product")),
    "funnel_cohorts": ("funnel_daily", "day", ("channel", "platform", "campaign", "region", "product")),
    "channel_totals": ("channel_daily", "date", ("channel", "platform", "campaign", "region", "product", "account")),
    "followers": ("follower_daily", "date", ("platform", "account")),
}


_FAMILY_FACTS = {"funnel_counts": "funnel", "funnel_cohorts": "funnel", "channel_totals": "channel_daily", "followers": "followers"}


def facts_of(name: str) -> list[str]:
    """The facts (``ingest_run.fact``) a metric is computed from: where its number comes from."""
    return list(dict.fromkeys(_FAMILY_FACTS[f] for f in _families([name])))


def latest_data_date(con: duckdb.DuckDBPyConnection, name: str, filters: dict[str, list[str]], up_to: date) -> date | None:
    """The newest day with data behind ``name`` (under ``filters``) on or before ``up_to``.

    A derived metric is only as fresh as its staler part: cost per SQL with SQLs up to Friday
    and cost up to Tuesday is known up to Tuesday.
    """
    days = []
    for family in _families([name]):
        table, day, dims = _FAMILY_DATES[family]
        where = " AND ".join(f"list_contains(${dim}, {dim})" for dim in filters if dim in dims) or "true"
        params = {dim: values for dim, values in filters.items() if dim in dims}
        days.append(con.execute(f"SELECT max({day}) FROM {table} WHERE {day} <= $up_to AND {where}", {**params, "up_to": up_to}).fetchone()[0])
    return None if None in days else min(days)


def _families(names: list[str]) -> list[str]:
    families = []
    for name in names:
        metric = METRICS[name]
        parts = [METRICS[p].family for p in metric.formula] if metric.formula else [metric.family]
        families.extend(f for f in parts if f not in families)
    return families


def _value(metric: Metric, values: dict):
    """A metric's value from its family's row; no row means 0 for funnel counts (nobody entered
    the stage) but "no data" for cost and followers, so a cost per SQL never shows 0 just
    because no cost export was loaded."""
    if metric.formula:
        numerator, denominator = (_value(METRICS[n], values) for n in metric.formula)
        return float(numerator) / float(denominator) if numerator is not None and denominator else None
    value = values.get(metric.name)
    if value is None and metric.family == "funnel_counts":
        return 0
    return float(value) if metric.name.endswith("_rate") and value is not None else value


def _fx_rates(con, settings: Settings, families: list[str]) -> list[dict]:
    """Rates into the reporting currency for every currency the data holds.

    One currency throughout needs no configuration; several need ``reporting_currency`` and an
    ``[fx]`` table in okrfunnel.toml.
    """
    if not {"channel_totals", "funnel_counts"} & set(families):
        return []
    found = [r[0] for r in con.execute(
        """SELECT DISTINCT currency FROM (
               SELECT currency FROM channel_daily UNION ALL
               SELECT currency FROM funnel_fact WHERE stage = 'won' AND amount IS NOT NULL)
           WHERE currency IS NOT NULL ORDER BY 1"""
    ).fetchall()]
    reporting = settings.reporting_currency or (found[0] if len(found) == 1 else None)
    if reporting is None and found:
        raise MetricError(
            f"the data holds several currencies ({', '.join(found)}) and no reporting currency is set",
            file=settings.config_file or "okrfunnel.toml", column="reporting_currency",
            hint="set reporting_currency and an [fx] table of rates in okrfunnel.toml",
        )
    rates = []
    for currency in found:
        if currency == reporting:
            rates.append({"currency": currency, "rate": 1.0})
        elif currency in settings.fx:
            rates.append({"currency": currency, "rate": settings.fx[currency]})
        else:
            raise MetricError(
                f"no exchange rate for {currency} into the reporting currency {reporting}",
                file=settings.config_file or "okrfunnel.toml", column=f"fx.{currency}",
                hint=f"add `{currency} = <{reporting} per 1 {currency}>` under [fx]",
            )
    return rates
