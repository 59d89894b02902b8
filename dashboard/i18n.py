"""UI text in English and Simplified Chinese: one catalogue per language (``locales/*.toml``),
the language chosen in the sidebar. ``tests/test_dashboard_i18n.py`` fails when a key is missing
from either catalogue or a page asks for a key neither has."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import streamlit as st

LANGUAGES = {"en": "English", "zh": "中文"}
_LOCALES = Path(__file__).parent / "locales"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The flat ``section.key -> text`` table of one language."""
    with (_LOCALES / f"{language}.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


def language() -> str:
    return st.session_state.get("language", "en")


def t(key: str, **values) -> str:
    """The text of ``key`` in the chosen language, with ``{name}`` placeholders filled in."""
    text = catalogue(language())[key]
    return text.format(**values) if values else text
