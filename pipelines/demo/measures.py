"""What the warehouse will report once the demo's exports are loaded, read straight off the world.

The OKR files take their baselines and targets from here, so they fit the data whatever the
generator's tuning; the semantics are PRODUCT.md's (stage counts by entry date, cohort rates,
spend summed over sources, a stock on the last day with data). The rows the exports plant for
the quarantine are not part of the world, so nothing here has to leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.demo.world import LAST_DAY, World


@dataclass(frozen=True)
class Quarter:
    label: str
    start: date
    end: date  # inclusive


def quarter(label: str) -> Quarter:
    """A calendar quarter by its label.

    >>> quarter("2026-Q4")
    Quarter(label='2026-Q4', start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31))
    """
    year, q = int(label[:4]), int(label[-1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return Quarter(label, start, end)


def stage_count(world: World, stage: str, period: Quarter, channels: tuple[str, ...] = ()) -> int:
    """Leads that entered ``stage`` (created, mql, sql, opportunity, won) within ``period``, up
    to the last day the exports hold (the world also knows the stages leads reach later)."""
    end = min(period.end, LAST_DAY)
    return sum(
        1 for lead in world.leads
        if (moment := getattr(lead, f"{stage}_at")) is not None
        and period.start <= moment.date() <= end
        and (not channels or lead.channel in channels)
    )


def mql_to_sql_rate(world: World, period: Quarter, as_of: date = LAST_DAY) -> float:
    """Share of the period's new MQLs that have an SQL date by ``as_of`` (the warehouse: its data)."""
    end = min(period.end, as_of)
    cohort = [lead for lead in world.leads if lead.mql_at is not None and period.start <= lead.mql_at.date() <= end]
    converted = sum(1 for lead in cohort if lead.sql_at is not None and lead.sql_at.date() <= as_of)
    return converted / len(cohort)


def spend(world: World, period: Quarter, platforms: tuple[str, ...] = ()) -> float:
    return sum(
        c.spend for c in world.costs
        if period.start <= c.day <= period.end and (not platforms or c.campaign.platform in platforms)
    )


def cost_per_sql(world: World, period: Quarter) -> float:
    return spend(world, period) / stage_count(world, "sql", period)


def zhihu_followers(world: World, day: date) -> int:
    """Our Zhihu account's followers at the end of ``day``."""
    return next(f.total for f in reversed(world.zhihu) if f.day <= day)


def top_competitor(world: World, day: date) -> tuple[str, int]:
    """The competitor with the most Zhihu followers on the last count up to ``day``."""
    latest: dict[str, int] = {}
    for count in world.competitors:
        if count.day <= day:
            latest[count.competitor] = count.followers
    name = max(latest, key=lambda n: (latest[n], n))
    return name, latest[name]
