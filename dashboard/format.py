"""Numbers, money, shares and dates as each language writes them.

>>> number(1234567.8, "en"), number(1234567.8, "zh")
('1,234,568', '1,234,568')
>>> compact(123456, "en"), compact(123456, "zh"), compact(980, "zh")
('123.5K', '12.3万', '980')
>>> money(1133.849, "CNY", "en"), money(1133.849, "USD", "zh")
('¥1,134', 'US$1,134')
>>> share(0.2253, "en"), day(__import__("datetime").date(2026, 11, 22), "zh")
('22.5%', '2026年11月22日')
>>> from datetime import date, datetime
>>> short_day(date(2026, 10, 12), "en", 2026), short_day(date(2026, 10, 12), "zh", 2026)
('Oct 12', '10月12日')
>>> short_day(date(2025, 7, 1), "en", 2026), short_day(datetime(2026, 11, 27, 23, 47), "zh", 2026)
('Jul 1, 2025', '11月27日 23:47')
>>> percent(-1.3987), percent(0.5429), percent(0.0829, signed=True), percent(None)
('-140%', '54%', '+8%', '–')
>>> counted("data.days", 1, "en", "days"), counted("data.days", 59, "en", "days"), counted("data.days", 1, "zh", "days")
('1 day', '59 days', '1 天')
>>> change("spend", 102891.4, "CNY", "en"), change("sqls", -4, None, "en"), change("mql_to_sql_rate", 0.1123, None, "zh")
('+¥102,891', '-4', '+11.2 个百分点')
"""

from __future__ import annotations

from datetime import date

_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}
_ZH_SYMBOLS = {"USD": "US$"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# How each metric reads: money in the reporting currency, shares as percentages, counts whole.
MONEY_METRICS = {"spend", "won_revenue", "cost_per_mql", "cost_per_sql"}
SHARE_METRICS = {"mql_to_sql_rate", "sql_to_won_rate"}


def number(value: float | None, language: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{decimals}f}"


def compact(value: float | None, language: str) -> str:
    """Large numbers short: 123.5K in English, 12.3万 in Chinese (counted in ten-thousands)."""
    if value is None:
        return "–"
    if language == "zh":
        for size, unit in ((100_000_000, "亿"), (10_000, "万")):
            if abs(value) >= size:
                return f"{value / size:,.1f}{unit}"
        return number(value, language)
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if abs(value) >= size:
            return f"{value / size:,.1f}{unit}"
    return number(value, language)


def money(value: float | None, currency: str | None, language: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    code = (currency or "").upper()
    symbol = (_ZH_SYMBOLS.get(code) if language == "zh" else None) or _SYMBOLS.get(code, f"{code} " if code else "")
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.{decimals}f}"


def share(value: float | None, language: str, decimals: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{decimals}f}%"


def percent(value: float | None, signed: bool = False) -> str:
    """A share as a whole percent (attainment, chance, change against last quarter)."""
    if value is None:
        return "–"
    text = f"{value * 100:+.0f}%" if signed else f"{value * 100:.0f}%"
    return text.replace("-0%", "0%").replace("+0%", "0%")


def day(value: date | None, language: str) -> str:
    if value is None:
        return "–"
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def short_day(value: date | None, language: str, year: int | None = None) -> str:
    """A day for a table cell: without the year when it is ``year`` (the cycle's), with the time
    of day when ``value`` is a datetime."""
    if value is None:
        return "–"
    clock = f" {value:%H:%M}" if hasattr(value, "hour") else ""
    if year is not None and value.year == year:
        text = f"{value.month}月{value.day}日" if language == "zh" else f"{_MONTHS[value.month - 1]} {value.day}"
    else:
        text = day(value, language)
    return text + clock


def metric_value(name: str | None, value: float | None, currency: str | None, language: str) -> str:
    """A metric's value the way its unit reads (PRODUCT.md metrics)."""
    if name in MONEY_METRICS:
        return money(value, currency, language, decimals=2 if name.startswith("cost_per") and value is not None and abs(value) < 100 else 0)
    if name in SHARE_METRICS:
        return share(value, language)
    if name is not None:  # counts (leads, followers, ...): whole, a forecast too
        return number(value, language)
    return number(value, language, 0 if value is None or float(value).is_integer() else 1)


def change(name: str, value: float | None, currency: str | None, language: str) -> str:
    """A metric's change in its own unit, signed: money and counts whole, shares in percentage
    points."""
    if value is None:
        return "–"
    if name in SHARE_METRICS:
        from dashboard.i18n import catalogue

        return catalogue(language)["unit.points"].format(value=f"{value * 100:+.1f}")
    sign = "+" if round(value) > 0 else ""
    if name in MONEY_METRICS:
        return sign + money(value, currency, language)
    return sign + number(value, language)


def counted(key: str, count: int, language: str, name: str = "count", **values) -> str:
    """The catalogue text of ``key`` with ``count`` in its ``{name}`` placeholder, from the
    ``key_one`` variant when the count is one and the language has one (English: "1 row", not
    "1 rows"; Chinese needs none, its ``_one`` keys read as the others)."""
    from dashboard.i18n import catalogue

    texts = catalogue(language)
    text = texts.get(f"{key}_one", texts[key]) if count == 1 else texts[key]
    return text.format(**{name: number(count, language)}, **values)
