"""Who is using the dashboard, and what they may change.

Roles (issue 5, "Access"): a ``viewer`` reads and presents (the CEO), a ``member`` checks in and
edits their own tasks, an ``admin`` scores, uploads exports and closes cycles. Every write in
``dashboard.writes`` asks ``require`` first, so a hidden button is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.errors import OkrfunnelError

ROLES = ("viewer", "member", "admin")  # each role may do everything the roles before it may


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


def current_user() -> User:
    """The user the sign-in gate in ``app.py`` let in (the local user when sign-in is off)."""
    import streamlit as st

    return st.session_state.get("user", LOCAL_USER)
