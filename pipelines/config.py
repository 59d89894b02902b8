"""Settings from ``okrfunnel.toml``: warehouse path, extra source folders, currency, fiscal year.

Looked up in this order: the path in ``OKRFUNNEL_CONFIG``, then ``./okrfunnel.toml``. Every key is
optional; ``data/okrfunnel.example.toml`` documents them. Paths inside the file are relative to it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.access import (
    ROLES,
    SIGN_IN_MODES,
    AccessSettings,
    Person,
    is_password_hash,
)
from pipelines.errors import ConfigError

DEFAULT_DB = Path("data/warehouse.duckdb")
_KNOWN_KEYS = {"db", "sources_dirs", "reporting_currency", "fx", "fiscal_year_start_month", "okr", "evaluation", "access"}
_OKR_KEYS = {"on_track_margin", "at_risk_margin", "stale_days", "adoption_baseline"}


@dataclass(frozen=True)
class Settings:
    db: Path = DEFAULT_DB
    sources_dirs: tuple[Path, ...] = ()
    reporting_currency: str | None = None
    fx: dict[str, float] = field(default_factory=dict)
    fiscal_year_start_month: int = 1
    okr: OkrSettings = field(default_factory=lambda: OkrSettings())
    evaluation: EvaluationSettings = field(default_factory=lambda: EvaluationSettings())
    access: AccessSettings = field(default_factory=lambda: AccessSettings())
    config_file: Path | None = None


# Attainment -> suggested score: the article scores on 10 points; tenths of attainment keep the
# suggestion readable as "how far the KR got", so a committee sees what it adjusts and by how much.
DEFAULT_BANDS = tuple((round(i / 10, 1), i) for i in range(10, -1, -1))


@dataclass(frozen=True)
class EvaluationSettings:
    """Quarter-end scoring; the ``[evaluation]`` table of okrfunnel.toml.

    ``bands``: (lowest attainment, score) pairs, highest first; a KR gets the score of the first
    band its attainment reaches. Performance = OKR score x okr_weight + values score x
    values_weight + 360/routine score x review_weight (the weights sum to 1; the article puts
    the OKR share at 70-80%).
    """

    bands: tuple[tuple[float, float], ...] = DEFAULT_BANDS
    okr_weight: float = 0.75
    values_weight: float = 0.15
    review_weight: float = 0.10


@dataclass(frozen=True)
class OkrSettings:
    """How KRs are judged (PRODUCT.md defaults); the ``[okr]`` table of okrfunnel.toml.

    A KR is on track while its attainment is at most ``on_track_margin`` behind the elapsed share
    of the cycle, at risk while at most ``at_risk_margin`` behind, off track beyond.
    """

    on_track_margin: float = 0.10
    at_risk_margin: float = 0.25
    stale_days: int = 14
    adoption_baseline: str | None = None  # default: the quarter before the first cycle with OKRs


def load_settings(config_file: Path | None = None) -> Settings:
    """Read the settings file, if any, and apply ``OKRFUNNEL_DB``.

    Args:
        config_file: an explicit file; otherwise ``OKRFUNNEL_CONFIG`` or ``./okrfunnel.toml``.

    Raises:
        ConfigError: the file is not valid TOML or a key has the wrong type.
    """
    path = config_file or _default_config_path()
    raw: dict = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config file not found", file=path) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", file=path) from None
    settings = _settings_from(raw, path)
    env_db = os.environ.get("OKRFUNNEL_DB")
    if env_db:
        settings = Settings(**{**settings.__dict__, "db": Path(env_db)})
    return settings


def _default_config_path() -> Path | None:
    env = os.environ.get("OKRFUNNEL_CONFIG")
    if env:
        return Path(env)
    local = Path("okrfunnel.toml")
    return local if local.is_file() else None


def _settings_from(raw: dict, path: Path | None) -> Settings:
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(
            f"unknown key {sorted(unknown)[0]!r}", file=path, expected=", ".join(sorted(_KNOWN_KEYS))
        )
    base = path.parent if path else Path(".")
    month = raw.get("fiscal_year_start_month", 1)
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ConfigError("bad fiscal_year_start_month", file=path, value=str(month), expected="1-12")
    fx = raw.get("fx", {})
    if not isinstance(fx, dict) or not all(
        isinstance(v, (int, float)) and v > 0 for v in fx.values()
    ):
        raise ConfigError(
            "bad [fx] table", file=path, column="fx",
            expected="positive numbers: units of the reporting currency per unit, e.g. USD = 7.1",
        )
    okr = _okr_settings(raw.get("okr", {}), path)
    evaluation = _evaluation_settings(raw.get("evaluation", {}), path)
    currency = raw.get("reporting_currency")
    dirs = raw.get("sources_dirs", [])
    if isinstance(dirs, str):
        dirs = [dirs]
    return Settings(
        db=base / raw["db"] if "db" in raw else DEFAULT_DB,
        sources_dirs=tuple(base / d for d in dirs),
        reporting_currency=currency.upper() if isinstance(currency, str) else None,
        fx={k.upper(): float(v) for k, v in fx.items()},
        fiscal_year_start_month=month,
        okr=okr,
        evaluation=evaluation,
        access=_access_settings(raw.get("access", {}), path),
        config_file=path,
    )


def _okr_settings(raw, path: Path | None) -> OkrSettings:
    if not isinstance(raw, dict) or set(raw) - _OKR_KEYS:
        unknown = sorted(set(raw) - _OKR_KEYS) if isinstance(raw, dict) else ["okr"]
        raise ConfigError(f"unknown key {unknown[0]!r} in [okr]", file=path, expected=", ".join(sorted(_OKR_KEYS)))
    on_track, at_risk = raw.get("on_track_margin", 0.10), raw.get("at_risk_margin", 0.25)
    if not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in (on_track, at_risk)) or on_track > at_risk:
        raise ConfigError(
            "bad status margins", file=path, column="okr.on_track_margin / okr.at_risk_margin",
            value=f"{on_track} / {at_risk}", expected="shares from 0 to 1, on_track_margin <= at_risk_margin",
        )
    stale = raw.get("stale_days", 14)
    if not isinstance(stale, int) or stale < 1:
        raise ConfigError("bad stale_days", file=path, column="okr.stale_days", value=str(stale), expected="a whole number of days")
    baseline = raw.get("adoption_baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise ConfigError("bad adoption_baseline", file=path, column="okr.adoption_baseline", value=str(baseline),
                          expected='a period such as "2026-Q2"')
    return OkrSettings(float(on_track), float(at_risk), stale, baseline)


def _evaluation_settings(raw, path: Path | None) -> EvaluationSettings:
    known = {"bands", "okr_weight", "values_weight", "review_weight"}
    if not isinstance(raw, dict) or set(raw) - known:
        unknown = sorted(set(raw) - known) if isinstance(raw, dict) else ["evaluation"]
        raise ConfigError(f"unknown key {unknown[0]!r} in [evaluation]", file=path, expected=", ".join(sorted(known)))
    bands = raw.get("bands", DEFAULT_BANDS)
    if not (isinstance(bands, (list, tuple)) and bands and all(
            isinstance(b, (list, tuple)) and len(b) == 2 and all(isinstance(v, (int, float)) for v in b) for b in bands)
            and list(bands) == sorted(bands, key=lambda b: -b[0]) and all(0 <= b[1] <= 10 for b in bands)):
        raise ConfigError("bad bands", file=path, column="evaluation.bands",
                          expected="[[lowest attainment, score 0-10], ...] from the highest attainment down, e.g. [[1.0, 10], [0.7, 7], [0, 0]]")
    weights = [raw.get(k, getattr(EvaluationSettings, k)) for k in ("okr_weight", "values_weight", "review_weight")]
    if not all(isinstance(w, (int, float)) and 0 <= w <= 1 for w in weights) or abs(sum(weights) - 1) > 1e-9:
        raise ConfigError("bad evaluation weights", file=path, column="evaluation.*_weight",
                          value=" + ".join(str(w) for w in weights), expected="shares from 0 to 1 that sum to 1")
    return EvaluationSettings(tuple((float(a), float(b)) for a, b in bands), *map(float, weights))


def _access_settings(raw, path: Path | None) -> AccessSettings:
    known = {"sign_in", "people", "default_role"}
    if not isinstance(raw, dict) or set(raw) - known:
        unknown = sorted(set(raw) - known) if isinstance(raw, dict) else ["access"]
        raise ConfigError(f"unknown key {unknown[0]!r} in [access]", file=path, expected=", ".join(sorted(known)))
    mode = raw.get("sign_in", "none")
    if mode not in SIGN_IN_MODES:
        raise ConfigError("bad sign_in", file=path, column="access.sign_in", value=str(mode), expected=" | ".join(SIGN_IN_MODES))
    default_role = raw.get("default_role")
    if default_role is not None and default_role not in ROLES:
        raise ConfigError("bad default_role", file=path, column="access.default_role", value=str(default_role),
                          expected=" | ".join(ROLES))
    people = {}
    table = raw.get("people", {})
    if not isinstance(table, dict):
        raise ConfigError("bad [access.people]", file=path, column="access.people", expected="one table per person")
    for login, entry in table.items():
        where = f"access.people.{login}"
        if not isinstance(entry, dict) or set(entry) - {"name", "role", "password_hash"}:
            raise ConfigError(f"bad [{where}]", file=path, column=where, expected="name, role, password_hash")
        role = entry.get("role")
        if role not in ROLES:
            raise ConfigError("bad role", file=path, column=f"{where}.role", value=str(role), expected=" | ".join(ROLES))
        password_hash = entry.get("password_hash")
        if mode == "password" and not (isinstance(password_hash, str) and is_password_hash(password_hash)):
            raise ConfigError("no password hash", file=path, column=f"{where}.password_hash",
                              value=None if password_hash is None else "(hidden)",
                              expected="the line `okrfunnel access hash-password` prints (never the password itself)")
        people[login.lower() if mode == "oidc" else login] = Person(login, str(entry.get("name") or login), role, password_hash)
    if mode == "password" and not people:
        raise ConfigError("password sign-in without people", file=path, column="access.people",
                          expected="[access.people.<login>] with role and password_hash")
    return AccessSettings(mode, people, default_role)
