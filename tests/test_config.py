"""okrfunnel.toml: the example file is valid, and a bad [okr] table is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_settings
from pipelines.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "okrfunnel.example.toml"


def test_the_example_file_loads():
    settings = load_settings(EXAMPLE)
    assert (settings.reporting_currency, settings.fx, settings.fiscal_year_start_month) == ("CNY", {"USD": 7.1, "EUR": 7.7}, 1)
    assert (settings.okr.on_track_margin, settings.okr.at_risk_margin, settings.okr.stale_days) == (0.10, 0.25, 14)
    assert settings.okr.adoption_baseline == "2026-Q2"


@pytest.mark.parametrize(("table", "message"), [
    ("[okr]\nstale = 3\n", "unknown key 'stale' in [okr]"),
    ("[okr]\non_track_margin = 0.3\nat_risk_margin = 0.2\n", "bad status margins"),
    ("[okr]\nstale_days = 0\n", "bad stale_days"),
    ("[okr]\nadoption_baseline = 2026\n", "bad adoption_baseline"),
])
def test_bad_okr_settings_are_named(tmp_path, table, message):
    path = tmp_path / "okrfunnel.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in caught.value.one_line() and str(path) in caught.value.one_line()
