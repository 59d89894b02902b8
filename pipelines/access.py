"""Sign-in settings and password hashes, shared by the dashboard's gate and the command line.

Scores are performance-review data, so the dashboard either signs people in (Streamlit's OIDC
login, or a password per person for small teams) or serves only the computer it runs on. Each
person has a role: viewer (reads and presents), member (checks in, edits own tasks), admin
(scores, uploads, closes cycles).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field

ROLES = ("viewer", "member", "admin")  # each role may do everything the roles before it may
SIGN_IN_MODES = ("none", "password", "oidc")
_SCHEME = "pbkdf2_sha256"
_ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-SHA256; ~0.3 s per sign-in here


@dataclass(frozen=True)
class Person:
    login: str  # the user name typed at the password prompt, or the e-mail the OIDC provider gives
    name: str  # as OKR files name owners, so "my KRs" and "my tasks" find theirs
    role: str
    password_hash: str | None = None


@dataclass(frozen=True)
class AccessSettings:
    """The ``[access]`` table of okrfunnel.toml (data/okrfunnel.example.toml shows every key)."""

    sign_in: str = "none"
    people: dict[str, Person] = field(default_factory=dict)  # by login
    default_role: str | None = None  # OIDC users not listed get this role; None: they are refused

    def person(self, login: str | None) -> Person | None:
        """The listed person, or for OIDC an unlisted one with ``default_role``; None: refused."""
        if not login:
            return None
        found = self.people.get(login) or self.people.get(login.lower())
        if found or self.sign_in != "oidc" or self.default_role is None:
            return found
        return Person(login, login, self.default_role)


def hash_password(password: str, iterations: int = _ITERATIONS) -> str:
    """A salted PBKDF2 hash to paste into ``[access.people.<login>] password_hash``.

    >>> verify_password("s3cret", hash_password("s3cret", 1000)), verify_password("guess", hash_password("s3cret", 1000))
    (True, False)
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{_SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        computed = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    except ValueError:
        return False
    return scheme == _SCHEME and hmac.compare_digest(computed, expected)


def is_password_hash(text: str) -> bool:
    """Whether ``text`` has the form ``hash_password`` writes (a pasted password has not).

    >>> is_password_hash(hash_password("x", 1000)), is_password_hash("plain text password")
    (True, False)
    """
    parts = text.split("$")
    return len(parts) == 4 and parts[0] == _SCHEME and parts[1].isdigit()


def is_loopback(host: str) -> bool:
    """Whether serving on ``host`` reaches only this computer.

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.20")]
    [True, True, True, False, False]
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
