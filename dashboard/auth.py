"""Who is using the dashboard, and what they may change.

Roles (issue 5, "Access"): a ``viewer`` reads and presents (the CEO), a ``member`` checks in and
edits their own tasks, an ``admin`` scores, uploads exports and closes cycles. Every write in
``dashboard.writes`` asks ``require`` first, so a hidden button is never the only guard.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from dashboard.i18n import t
from pipelines.access import ROLES, AccessSettings, is_loopback, verify_password
from pipelines.errors import OkrfunnelError

OPEN_ENV = "OKRFUNNEL_OPEN"  # set by `okrfunnel dashboard --open-to-network`


class AccessDenied(OkrfunnelError):
    """The signed-in user's role does not allow this change."""


@dataclass(frozen=True)
class User:
    name: str | None  # as OKR files write owners; None for the single local user without sign-in
    role: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def is_one_of(self, *people: str | None) -> bool:
        """Whether the user is one of ``people`` (an owner, a helper); the local user is everyone."""
        return self.name is None or self.name in people


def require(user: User, role: str, what: str) -> None:
    """Raises AccessDenied unless ``user`` has at least ``role``."""
    if not user.can(role):
        raise AccessDenied(f"{what} needs the {role} role", value=user.role,
                           expected=" or ".join(ROLES[ROLES.index(role):]),
                           hint="ask an admin to change your role in okrfunnel.toml [access]")


LOCAL_USER = User(None, "admin")  # no sign-in configured: the dashboard serves only this machine
NETWORK_VIEWER = User(None, "viewer")  # no sign-in, served to the network on purpose: read and present


def current_user() -> User:
    """The user ``app.py`` let in for this run (least privilege should a page ever run without it)."""
    return st.session_state.get("current_user", NETWORK_VIEWER)


def gate(access: AccessSettings) -> User:
    """Let the visitor in as a ``User``, or draw the sign-in and stop the run.

    Without sign-in configured the dashboard is for this computer only (``okrfunnel dashboard``
    binds 127.0.0.1) and its user is an admin; served to the network on purpose
    (``--open-to-network``), every visitor is a viewer.
    """
    if access.sign_in == "none":
        address = st.get_option("server.address")
        if os.environ.get(OPEN_ENV) == "1":
            st.sidebar.caption(t("access.open_to_network"))
            return NETWORK_VIEWER
        if address and not is_loopback(address):
            st.error(t("access.refused_address", address=address))
            st.stop()
        st.sidebar.caption(t("access.local_only"))
        return LOCAL_USER
    if (user := st.session_state.get("signed_in")) is not None:
        return user
    if access.sign_in == "password":
        _password_form(access)
    else:
        _oidc(access)
    st.stop()


def _password_form(access: AccessSettings) -> None:
    st.title(t("access.title"))
    with st.form("sign_in"):
        login = st.text_input(t("access.login"))
        password = st.text_input(t("access.password"), type="password")
        submitted = st.form_submit_button(t("access.sign_in"), type="primary")
    if submitted:
        person = access.person(login.strip())
        if person and person.password_hash and verify_password(password, person.password_hash):
            st.session_state["signed_in"] = User(person.name, person.role)
            st.rerun()
        st.error(t("access.wrong_password"))


def _oidc(access: AccessSettings) -> None:
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        configured = "auth" in st.secrets
    except StreamlitSecretNotFoundError:  # no secrets.toml at all
        configured = False
    if not configured:
        st.error(t("access.no_oidc_secrets"))
        return
    if not st.user.is_logged_in:
        st.title(t("access.title"))
        st.button(t("access.sign_in_with_provider"), type="primary", on_click=st.login)
        return
    person = access.person(st.user.get("email"))
    if person is None:
        st.error(t("access.not_listed", email=st.user.get("email") or "?"))
        st.button(t("access.sign_out"), on_click=st.logout)
        return
    st.session_state["signed_in"] = User(person.name, person.role)
    st.rerun()


def sign_out_box(access: AccessSettings, user: User) -> None:
    """Who is signed in, their role, and the way out."""
    if access.sign_in == "none":
        return
    st.sidebar.caption(t("access.signed_in_as", name=user.name, role=t(f"access.role_{user.role}")))
    if st.sidebar.button(t("access.sign_out"), key="sign_out"):
        st.session_state.pop("signed_in", None)
        if access.sign_in == "oidc":
            st.logout()
        st.rerun()
