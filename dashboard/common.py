"""What every page shares: the sidebar (language, cycle, owner), the empty states, and the
current selection. Pages read the selection from here and never parse widgets themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard import data
from dashboard.i18n import LANGUAGES, catalogue, language, t
from pipelines.errors import OkrfunnelError

ALL_OWNERS = "*"


@dataclass(frozen=True)
class Selection:
    key: data.Identity  # the warehouse file's identity: cache key of every query
    cycle: str | None
    cycles: list[dict]
    owner: str  # ALL_OWNERS or an owner's name
    as_of: date | None
    currency: str | None
    problem: str | None = None  # a pipeline error that keeps the OKR pages from showing numbers

    @property
    def checkins_to(self) -> date | None:
        """Check-ins count up to now (the cycle's end), past the data's last day too, as ``krs``
        counts them: exports lag, and a Monday check-in must show before the next load."""
        return next((c["end"] for c in self.cycles if c["label"] == self.cycle), None)


def language_box() -> None:
    """The language comes first: every other label, the sign-in form's included, depends on it.
    It is also kept in the address (``?lang=zh``), so a reload or a shared link keeps it."""
    asked = st.query_params.get("lang")
    _kept("language", asked if asked in LANGUAGES else "en")
    st.sidebar.radio(
        "Language / 语言", list(LANGUAGES), format_func=LANGUAGES.get, key="language", horizontal=True,
        on_change=_keep, args=("language",),
    )
    st.query_params["lang"] = st.session_state["language"]


def sidebar() -> Selection:
    """The cycle and owner every page reads."""
    key = data.identity()
    if key is None:
        return Selection(None, None, [], ALL_OWNERS, None, None)
    try:
        cycles = data.cycles(key)
        currency = data.reporting_currency(key)
    except OkrfunnelError as exc:
        st.sidebar.error(exc.one_line())
        return Selection(key, None, [], ALL_OWNERS, None, None, exc.one_line())
    labels = [c["label"] for c in cycles]
    _kept("cycle", None)
    if labels and st.session_state.get("cycle") not in labels:
        open_cycles = [c["label"] for c in cycles if not c["closed"]]
        st.session_state["cycle"] = (open_cycles or labels)[-1]
    cycle = st.sidebar.selectbox(t("sidebar.cycle"), labels, key="cycle", on_change=_keep, args=("cycle",)) if labels else None
    st.session_state["_kept_cycle"] = cycle
    owners = [ALL_OWNERS]
    as_of = None
    if cycle:
        try:
            rows = data.key_results(key, cycle)
        except OkrfunnelError as exc:  # e.g. a second currency without a reporting currency
            st.sidebar.error(exc.one_line())
            return Selection(key, cycle, cycles, ALL_OWNERS, None, currency, exc.one_line())
        as_of = rows[0]["as_of"] if rows else None
        owners += sorted({r["owner"] for r in rows if r["owner"]} | {r["objective_owner"] for r in rows if r["objective_owner"]})
    owner = _owner_box(owners)
    if as_of:
        st.sidebar.caption(t("sidebar.as_of", day=_day(as_of)))
    _watch_for_new_data(key)
    return Selection(key, cycle, cycles, owner, as_of, currency)


def _kept(key: str, default) -> None:
    """Streamlit drops a widget's state when ``st.switch_page`` moves to another page; a copy
    under ``_kept_<key>`` puts it back, so a drill-down keeps the language and the cycle."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(f"_kept_{key}", default)


def _keep(key: str) -> None:
    st.session_state[f"_kept_{key}"] = st.session_state[key]


def _owner_box(owners: list[str]) -> str:
    """The owner filter. Its "everyone" entry is translated, and Streamlit keeps a widget's shown
    label as its value, so each language has its own widget; the choice lives in "owner"."""
    chosen = st.session_state.get("owner", ALL_OWNERS)
    if chosen not in owners:
        chosen = ALL_OWNERS
    lang = language()
    everyone = catalogue(lang)["sidebar.everyone"]  # bound now: Streamlit may format outside the run
    key = f"owner_{lang}"
    st.session_state[key] = chosen
    st.session_state["owner"] = st.sidebar.selectbox(
        t("sidebar.owner"), owners, key=key, format_func=lambda o: everyone if o == ALL_OWNERS else o,
        on_change=lambda: st.session_state.update(owner=st.session_state[key]),
    )
    return st.session_state["owner"]


def _day(value: date) -> str:
    from dashboard.format import day

    return day(value, language())


@st.fragment(run_every=10)
def _watch_for_new_data(seen: data.Identity) -> None:
    """A load swaps in a new warehouse file: rerun the page so its numbers follow, no restart."""
    if data.identity() != seen:
        st.rerun(scope="app")


def require_warehouse(selection: Selection) -> None:
    """No warehouse yet: say how to get one, and stop the page."""
    if selection.key is None:
        st.info(t("empty.no_warehouse", db=str(data.warehouse())))
        st.code("okrfunnel demo\nokrfunnel ingest PATH", language="bash")
        st.stop()


def require_cycle(selection: Selection) -> None:
    require_warehouse(selection)
    if selection.problem:
        st.error(selection.problem)
        st.stop()
    if selection.cycle is None:
        st.info(t("empty.no_cycle"))
        st.code("okrfunnel okrs template --out okrs.xlsx\nokrfunnel okrs load okrs.xlsx", language="bash")
        st.stop()


def owner_krs(selection: Selection) -> list[dict]:
    """The cycle's KRs of the chosen owner; none: say so and stop the page."""
    rows = mine(data.key_results(selection.key, selection.cycle), selection)
    if not rows:
        st.info(t("empty.no_krs_for_owner", owner=selection.owner))
        st.stop()
    return rows


def mine(rows: list[dict], selection: Selection) -> list[dict]:
    """KR rows of the chosen owner: KRs they own, and every KR of objectives they own."""
    if selection.owner == ALL_OWNERS:
        return rows
    return [r for r in rows if selection.owner in (r.get("owner"), r.get("objective_owner"))]


def show_error(exc: OkrfunnelError) -> None:
    """A pipeline error as the CLI words it, and the page stops."""
    st.error(exc.one_line())
    st.stop()
