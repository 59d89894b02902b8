"""Numbers, money, shares and dates as each language writes them.

>>> number(1234567.8, "en"), number(1234567.8, "zh")
('1,234,568', '1,234,568')
>>> compact(123456, "en"), compact(123456, "zh"), compact(980, "zh")
('123.5K', '12.3万', '980')
>>> money(1133.849, "CNY", "en"), money(1133.849, "USD", "zh")
('¥1,134', 'US$1,134')
>>> share(0.2253, "en"), day(__import__("datetime").date(2026, 11, 22), "zh")
('22.5%', '2026年11月22日')
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


def day(value: date | None, language: str) -> str:
    if value is None:
        return "–"
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def metric_value(name: str | None, value: float | None, currency: str | None, language: str) -> str:
    """A metric's value the way its unit reads (PRODUCT.md metrics)."""
    if name in MONEY_METRICS:
        return money(value, currency, language, decimals=2 if name.startswith("cost_per") and value is not None and abs(value) < 100 else 0)
    if name in SHARE_METRICS:
        return share(value, language)
    return number(value, language, 0 if value is None or float(value).is_integer() else 1)
