"""okrfunnel's dashboard: one router, the sidebar, and the pages in ``views/``.

Run it with ``okrfunnel dashboard [--db PATH]``. Pages render only: numbers come from
``dashboard.data`` (the shared metric and OKR layer), charts from ``dashboard.charts``.
"""

from pathlib import Path

import streamlit as st

from dashboard import auth
from dashboard.common import language_box, sidebar
from dashboard.data import settings
from dashboard.i18n import t

st.set_page_config(page_title="okrfunnel", page_icon="🎯", layout="wide")
language_box()
access = settings().access
st.session_state["current_user"] = user = auth.gate(access)
st.session_state["selection"] = sidebar()
auth.sign_out_box(access, user)

VIEWS = Path(__file__).parent / "views"
navigation = st.navigation([
    st.Page(VIEWS / "overview.py", title=t("nav.overview"), icon="🎯", url_path="overview", default=True),
    st.Page(VIEWS / "key_result.py", title=t("nav.key_result"), icon="🔎", url_path="key-result"),
    st.Page(VIEWS / "funnel.py", title=t("nav.funnel"), icon="🔻", url_path="funnel"),
    st.Page(VIEWS / "confidence.py", title=t("nav.confidence"), icon="📈", url_path="confidence"),
    st.Page(VIEWS / "quarter_review.py", title=t("nav.quarter_review"), icon="🏁", url_path="quarter-review"),
    st.Page(VIEWS / "evaluation.py", title=t("nav.evaluation"), icon="🧮", url_path="evaluation"),
    st.Page(VIEWS / "week.py", title=t("week.nav"), icon="🗓️", url_path="week"),
    st.Page(VIEWS / "present.py", title=t("present.nav"), icon="🎬", url_path="present"),
    st.Page(VIEWS / "data_sources.py", title=t("nav.data"), icon="🗂️", url_path="data"),
])
navigation.run()
