"""Present: the quarter for the CEO, a slide at a time, in large type and full screen (the sidebar
and Streamlit's header hidden). The slides are the report's (``dashboard.report_content.deck``),
so what is shown here is what the HTML, PDF and PPTX downloads below hold."""

import streamlit as st

from dashboard import data
from dashboard.common import require_cycle, show_error
from dashboard.i18n import LANGUAGES, language, t
from dashboard.report import FORMATS, STYLE, render, slide_html
from dashboard.report_content import deck
from pipelines.errors import OkrfunnelError

# Large type for a meeting room; in full screen the sidebar, its toggle and the app header go.
LARGE = """.st-key-present-slide .okr-slide h1{font-size:3rem}.st-key-present-slide .okr-slide .sub{font-size:1.3rem}
.st-key-present-slide .okr-slide .lead{font-size:2rem}.st-key-present-slide .okr-slide table{font-size:1.25rem}
.st-key-present-slide .okr-slide .tile b{font-size:2.2rem}.st-key-present-slide .okr-slide li{font-size:1.5rem}"""
FULL_SCREEN = """[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stExpandSidebarButton"],
[data-testid="stHeader"]{display:none}[data-testid="stMainBlockContainer"]{padding-top:1.5rem}"""

selection = st.session_state["selection"]
require_cycle(selection)
lang = language()
try:
    slides = deck(data.report_data(selection.key, selection.cycle), lang)
except OkrfunnelError as exc:
    show_error(exc)

full_screen = st.session_state.get("present_full_screen", True)
st.markdown(f"<style>{STYLE}{LARGE}{FULL_SCREEN if full_screen else ''}</style>", unsafe_allow_html=True)

count = len(slides.slides)
at = min(st.session_state.get("present_at", 0), count - 1)  # another cycle may have fewer slides


def go_to(index: int) -> None:
    st.session_state["present_at"] = min(max(index, 0), count - 1)


def choose_language() -> None:
    """The sidebar is hidden in full screen: the page's own switch sets the sidebar's language."""
    st.session_state["language"] = st.session_state["_kept_language"] = st.session_state["present_language"]


slide = slides.slides[at]
with st.container(key="present-slide"):
    before, after = slide_html(slide)
    st.markdown(f"<div class='okr-slide'>{before}</div>", unsafe_allow_html=True)
    if slide.figure is not None:
        st.plotly_chart(slide.figure, key=f"present-chart-{slide.key}")
    if after:
        st.markdown(f"<div class='okr-slide'>{after}</div>", unsafe_allow_html=True)

with st.container(horizontal=True, vertical_alignment="center", key="present-controls"):
    st.button(t("present.previous"), key="present_previous", icon=":material/chevron_left:", shortcut="Left",
              disabled=at == 0, on_click=go_to, args=(at - 1,))
    # One box per language: Streamlit keeps a widget's shown label, which a language switch changes.
    st.session_state[f"present_jump_{lang}"] = at
    st.selectbox(t("present.jump"), range(count), key=f"present_jump_{lang}", label_visibility="collapsed",
                 format_func=lambda i: f"{i + 1}/{count} · {slides.slides[i].title}", width=420,
                 on_change=lambda: go_to(st.session_state[f"present_jump_{lang}"]))
    st.button(t("present.next"), key="present_next", icon=":material/chevron_right:", icon_position="right",
              shortcut="Right", disabled=at == count - 1, on_click=go_to, args=(at + 1,))
    if full_screen:
        st.session_state["present_language"] = lang
        st.radio(t("present.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="present_language",
                 horizontal=True, label_visibility="collapsed", on_change=choose_language)
    st.toggle(t("present.full_screen"), value=full_screen, key="present_full_screen", help=t("present.full_screen_help"))

with st.container(horizontal=True, key="present-downloads"):
    name = f"okr-{selection.cycle}-{lang}"
    for suffix, mime in FORMATS.items():
        # Made when clicked (PDF and PPTX start Chromium, a few seconds), not on every slide change.
        st.download_button(t(f"present.download_{suffix[1:]}"), lambda suffix=suffix: render(slides, suffix),
                           file_name=f"{name}{suffix}", mime=mime, key=f"present_download_{suffix[1:]}",
                           icon=":material/download:", on_click="ignore", help=t("present.download_help"))
