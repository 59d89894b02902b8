"""The canonical facts an export can feed, and the checks every source of a fact gets.

A source file maps its headings onto these fields; the types decide how text is parsed, and the
rules here become Great Expectations expectations for every source of that fact, so an analyst's
own source cannot forget them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHANNELS = (
    "paid_search",
    "paid_social",
    "organic_search",
    "organic_social",
    "email",
    "referral",
    "direct",
    "events",
    "other",
)

_ISO_CURRENCIES_FILE = Path(__file__).parent / "currencies.txt"


def iso_currencies() -> list[str]:
    return _ISO_CURRENCIES_FILE.read_text(encoding="ascii").split()


# Funnel order: a lead's dimensions come from its earliest stage, its amount from its latest.
STAGES = ("lead", "mql", "sql", "opportunity", "won")
STAGE_FIELDS = {f"{'created' if s == 'lead' else s}_at": s for s in STAGES}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text | timestamp | date | number | integer | currency | channel | pii
    non_negative: bool = False
    description: str = ""


def _fields(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


_DIMENSIONS = (
    Field("platform", "text", description="lowercase platform id, e.g. google_ads"),
    Field("campaign", "text"),
    Field("region", "text"),
    Field("product", "text"),
    Field("channel", "channel", description="one of the canonical channels"),
)

FACTS: dict[str, dict[str, Field]] = {
    "funnel": _fields(
        Field("lead_id", "text", description="the CRM's id of the lead; rows without one are counted but not tracked"),
        *(Field(f, "timestamp", description=f"when the lead entered stage {s}") for f, s in STAGE_FIELDS.items()),
        *_DIMENSIONS,
        Field("amount", "number", non_negative=True, description="deal amount"),
        Field("currency", "currency"),
        Field("email", "pii"),
        Field("phone", "pii"),
        Field("entries", "integer", non_negative=True, description="how many stage entries the row stands for (reports without lead ids); default 1"),
    ),
    "channel_daily": _fields(
        Field("date", "date"),
        Field("account", "text"),
        *_DIMENSIONS,
        Field("spend", "number", non_negative=True),
        Field("impressions", "integer", non_negative=True),
        Field("clicks", "integer", non_negative=True),
        Field("conversions", "number", non_negative=True),
        Field("currency", "currency"),
    ),
    "followers": _fields(
        Field("date", "date"),
        Field("platform", "text"),
        Field("account", "text"),
        Field("followers", "integer", non_negative=True, description="cumulative followers at the end of the day"),
        Field("new_followers", "integer", non_negative=True),
        Field("lost_followers", "integer", non_negative=True),
        Field("competitor", "text", description="the competitor owning a benchmark account; such followers are not yours"),
    ),
}

# Fields a fact cannot do without: checked as "key present" on every row.
REQUIRED = {
    "funnel": (),
    "channel_daily": ("date", "platform", "currency"),
    "followers": ("date", "platform", "account", "followers"),
}

# What a daily fact's natural key is; a re-export replaces these keys over the days it covers.
DAILY_KEYS = {
    "channel_daily": ("platform", "account", "campaign"),
    "followers": ("platform", "account"),
}


def date_fields(fact: str) -> list[str]:
    return [name for name, f in FACTS[fact].items() if f.type in ("date", "timestamp")]
