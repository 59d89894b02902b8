"""The two catalogues hold the same keys with the same placeholders, and every key the pages ask
for exists: a missing translation fails here, not in front of a CEO."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from dashboard import format as fmt
from dashboard.i18n import LANGUAGES, catalogue
from pipelines.metrics import METRICS
from pipelines.okr_eval import STATUSES
from pipelines.okr_file import KINDS, TASK_STATUSES

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_placeholders():
    en, zh = catalogue("en"), catalogue("zh")
    assert sorted(set(en) - set(zh)) == [], "missing in zh.toml"
    assert sorted(set(zh) - set(en)) == [], "missing in en.toml"
    assert {k: placeholders(v) for k, v in en.items()} == {k: placeholders(v) for k, v in zh.items()}
    assert set(LANGUAGES) == {p.stem for p in (DASHBOARD / "locales").glob("*.toml")}


def test_every_key_the_pages_use_exists():
    used = {key for path in DASHBOARD.rglob("*.py") for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "no t(...) calls found: the pattern is stale"
    assert sorted(used - set(catalogue("en"))) == []


@pytest.mark.parametrize("prefix, names", [
    ("metric", list(METRICS)), ("status", list(STATUSES)), ("kind", list(KINDS)),
    ("flag", ["stale", "overconfident", "underconfident", "drop"]),
    ("metric_help", list(METRICS)), ("task_status", list(TASK_STATUSES)),
    ("data.status", ["loaded", "loaded_with_rows_set_aside"]),  # the statuses a stored run has
])
def test_keys_built_from_values(prefix, names):
    """Pages build these keys from data (t(f"metric.{name}")): every value needs its text."""
    sep = "_" if prefix.startswith("data.") else "."
    assert sorted(f"{prefix}{sep}{n}" for n in names if f"{prefix}{sep}{n}" not in catalogue("en")) == []


def test_formats_follow_the_language():
    assert fmt.compact(123456, "zh") == "12.3万" and fmt.compact(123456, "en") == "123.5K"
    assert fmt.money(-1234.5, "CNY", "en") == "-¥1,234" and fmt.money(10, None, "en") == "10"
    assert fmt.metric_value("mql_to_sql_rate", 0.2253, "CNY", "zh") == "22.5%"
    assert fmt.metric_value("cost_per_sql", 1133.85, "CNY", "en") == "¥1,134"
    assert fmt.metric_value("sqls", 271.0, None, "en") == "271"
    assert fmt.metric_value("followers", None, None, "en") == "–"


def test_the_language_survives_a_reload_through_the_address(warehouse):
    from streamlit.testing.v1 import AppTest

    app = DASHBOARD / "app.py"
    first = AppTest.from_file(app, default_timeout=60)
    first.run()
    first.sidebar.radio[0].set_value("zh").run()
    assert first.query_params["lang"] == "zh"
    reloaded = AppTest.from_file(app, default_timeout=60)  # a new session, as a reload is
    reloaded.query_params["lang"] = "zh"
    reloaded.run()
    assert not reloaded.exception and reloaded.sidebar.radio[0].value == "zh"
    assert reloaded.sidebar.selectbox(key="cycle").label == "OKR 周期"
