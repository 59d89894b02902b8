"""Sign-in and roles (issue 5, "Access"): the config, the password hash, the command line's host
rule, the dashboard's gate under AppTest (password and OIDC) and the role check of every write
the dashboard makes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import query
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import dashboard
from dashboard import writes
from dashboard.auth import AccessDenied, User
from pipelines.access import hash_password, verify_password
from pipelines.cli import app
from pipelines.config import load_settings
from pipelines.errors import ConfigError

APP = Path(dashboard.__file__).parent / "app.py"
runner = CliRunner()
# Hashed once per session: 600,000 PBKDF2 rounds take ~0.3 s each.
CEO_HASH, WANG_HASH = hash_password("ceo-password"), hash_password("wang-password")


def write_config(folder: Path, text: str, monkeypatch) -> Path:
    path = folder / "okrfunnel.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("OKRFUNNEL_CONFIG", str(path))
    return path


PASSWORDS = f"""
[access]
sign_in = "password"

[access.people.ceo]
name = "Chen"
role = "viewer"
password_hash = "{CEO_HASH}"

[access.people.wangfang]
name = "王芳"
role = "member"
password_hash = "{WANG_HASH}"
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_password_hash_verifies_only_its_password():
    assert CEO_HASH.startswith("pbkdf2_sha256$600000$") and "ceo-password" not in CEO_HASH
    assert verify_password("ceo-password", CEO_HASH)
    assert not verify_password("ceo-passwore", CEO_HASH)
    assert hash_password("ceo-password") != CEO_HASH  # salted
    assert not verify_password("x", "not a hash")


@pytest.mark.parametrize("text, message", [
    ('[access]\nsign_in = "ldap"\n', "bad sign_in (got 'ldap'); expected none | password | oidc"),
    ('[access]\nsign_in = "password"\n', "password sign-in without people"),
    ('[access]\nsign_in = "password"\n[access.people.a]\nrole = "admin"\npassword_hash = "hunter22"\n',
     "column 'access.people.a.password_hash': no password hash (got '(hidden)'); expected the line `okrfunnel access hash-password` prints"),
    ('[access.people.a]\nrole = "boss"\n', "column 'access.people.a.role': bad role (got 'boss'); expected viewer | member | admin"),
    ('[access]\nroles = 1\n', "unknown key 'roles' in [access]"),
])
def test_bad_access_config_is_named(tmp_path, monkeypatch, text, message):
    write_config(tmp_path, text, monkeypatch)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert message in caught.value.one_line()
    assert "hunter22" not in caught.value.one_line()  # a password pasted by mistake is never echoed


def test_hash_password_reads_stdin_and_prints_the_config_lines():
    result = runner.invoke(app, ["access", "hash-password", "wangfang"], input="correct horse\n")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["[access.people.wangfang]", 'name = "wangfang"', 'role = "member"']
    stored = lines[3].removeprefix('password_hash = "').removesuffix('"')
    assert verify_password("correct horse", stored)
    short = runner.invoke(app, ["access", "hash-password"], input="short\n")
    assert short.exit_code == 1 and "password too short" in short.stderr
    named = runner.invoke(app, ["access", "hash-password", "wangfang", "--name", "王芳", "--role", "admin"], input="correct horse\n")
    assert named.stdout.splitlines()[1:3] == ['name = "王芳"', 'role = "admin"']
    unknown = runner.invoke(app, ["access", "hash-password", "--role", "boss"], input="correct horse\n")
    assert unknown.exit_code == 1 and "column '--role': unknown role (got 'boss'); expected viewer | member | admin" in unknown.stderr


def test_the_dashboard_refuses_the_network_without_sign_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OKRFUNNEL_CONFIG", raising=False)
    result = runner.invoke(app, ["dashboard", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "serving on 0.0.0.0 without sign-in" in result.stderr and "--open-to-network" in result.stderr


def run_app(page: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_without_sign_in_the_local_user_is_admin_and_told_so(warehouse):
    at = run_app("views/data_sources.py")
    assert at.session_state["current_user"] == User(None, "admin")
    assert "serves only this computer (127.0.0.1)" in " ".join(c.value for c in at.sidebar.caption)
    assert at.button(key="data_upload_load")  # admins load exports


def test_served_to_the_network_without_sign_in_everyone_is_a_viewer(warehouse, monkeypatch):
    monkeypatch.setenv("OKRFUNNEL_OPEN", "1")
    at = run_app("views/data_sources.py")
    assert at.session_state["current_user"] == User(None, "viewer")
    assert "data_upload_load" not in [b.key for b in at.button]


def test_a_non_local_address_without_sign_in_stops_the_app(warehouse):
    st_config.set_option("server.address", "0.0.0.0")
    try:
        at = run_app()
    finally:
        st_config.set_option("server.address", None)
    assert "served on 0.0.0.0 without sign-in" in at.error[0].value
    assert not at.dataframe  # nothing of the warehouse shown


def test_password_sign_in(warehouse, tmp_path, monkeypatch):
    write_config(tmp_path, PASSWORDS, monkeypatch)
    at = run_app()
    assert not at.dataframe and at.title[0].value == "Sign in to okrfunnel"
    at.text_input[0].input("wangfang")
    at.text_input[1].input("ceo-password")  # another person's password
    at.button[0].click().run()
    assert at.error[0].value == "Wrong user name or password." and not at.dataframe
    at.text_input[1].input("wang-password")
    at.button[0].click().run()
    assert not at.exception and at.dataframe  # the Overview's KR tables
    assert at.session_state["current_user"] == User("王芳", "member")
    assert "Signed in as 王芳 (member)" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="sign_out").click().run()
    assert at.title[0].value == "Sign in to okrfunnel" and not at.dataframe


def test_password_sign_in_in_chinese(warehouse, tmp_path, monkeypatch):
    write_config(tmp_path, PASSWORDS, monkeypatch)
    at = run_app(language="zh")
    assert at.title[0].value == "登录 okrfunnel"
    at.text_input[0].input("nobody")
    at.text_input[1].input("wang-password")
    at.button[0].click().run()
    assert at.error[0].value == "用户名或密码错误。"


OIDC = """
[access]
sign_in = "oidc"

[access.people."ceo@example.com"]
name = "Chen"
role = "viewer"

[access.people."wang.fang@example.com"]
name = "王芳"
role = "admin"
"""
AUTH_SECRETS = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s", "client_id": "c",
                "client_secret": "s", "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration"}


def oidc_app(user: dict, secrets: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets:
        at.secrets["auth"] = AUTH_SECRETS
    at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_oidc_sign_in_maps_e_mails_to_people_and_roles(warehouse, tmp_path, monkeypatch):
    write_config(tmp_path, OIDC, monkeypatch)
    out = oidc_app({"is_logged_in": False})
    assert out.button[0].label == "Sign in with your company account" and not out.dataframe
    ceo = oidc_app({"is_logged_in": True, "email": "CEO@example.com", "name": "Chen Wei"})
    assert ceo.session_state["current_user"] == User("Chen", "viewer") and ceo.dataframe
    stranger = oidc_app({"is_logged_in": True, "email": "eve@example.org"})
    assert "eve@example.org is not on the list" in stranger.error[0].value and not stranger.dataframe
    write_config(tmp_path, OIDC.replace('sign_in = "oidc"', 'sign_in = "oidc"\ndefault_role = "viewer"'), monkeypatch)
    listed_by_default = oidc_app({"is_logged_in": True, "email": "eve@example.org"})
    assert listed_by_default.session_state["current_user"] == User("eve@example.org", "viewer")


def test_oidc_without_provider_secrets_says_where_they_go(warehouse, tmp_path, monkeypatch):
    write_config(tmp_path, OIDC, monkeypatch)
    at = oidc_app({"is_logged_in": True, "email": "ceo@example.com"}, secrets=False)
    assert ".streamlit/secrets.toml has no [auth] section" in at.error[0].value and not at.dataframe


def test_an_upload_needs_admin_and_leaves_the_warehouse_alone(warehouse):
    before = sha(warehouse)
    content = b"date,platform,channel,campaign,spend,impressions,clicks,currency\n2026-11-20,baidu,paid_search,x,1,2,1,CNY\n"
    for user in (User("Chen", "viewer"), User("王芳", "member")):
        with pytest.raises(AccessDenied) as caught:
            writes.ingest_upload(user, "cost.csv", content)
        assert caught.value.one_line().startswith("loading an export needs the admin role")
    assert sha(warehouse) == before
    assert writes.ingest_upload(User("王芳", "admin"), "cost.csv", content)["status"] == "loaded"
    assert sha(warehouse) != before
    assert query(warehouse, "SELECT file_path, file_name FROM ingest_run ORDER BY run_id DESC LIMIT 1") == [
        ("dashboard upload by 王芳: cost.csv", "cost.csv")]
