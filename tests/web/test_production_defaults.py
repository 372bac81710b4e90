"""Production defaults: HTTPS, HSTS and Secure cookies on with DEBUG off, no-store on what a
signed-in user sees, SMTP over TLS, secrets from files, and a clean `check --deploy`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Cast
from tests.web.settings_probe import ROOT, environment, read_settings

HTTPS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


def test_https_hsts_and_secure_cookies_are_on_with_debug_off() -> None:
    assert read_settings(*HTTPS) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_a_plain_http_deployment_says_so_explicitly() -> None:
    values = read_settings(*HTTPS, GOVPLAN_HTTPS="0")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    # Development keeps plain HTTP without being told.
    assert read_settings("SECURE_SSL_REDIRECT", DEBUG="1")["SECURE_SSL_REDIRECT"] is False


def test_the_production_shape_on_localhost_opts_out_of_https() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from serve_prod import production_env
    finally:
        sys.path.pop(0)
    env = production_env("postgres://u@127.0.0.1/x", 8107, base={"SECRET_KEY": "k" * 60})
    assert env["GOVPLAN_HTTPS"] == "0"
    assert (
        production_env("postgres://u@h/x", 1, base={"SECRET_KEY": "k", "GOVPLAN_HTTPS": "1"})[
            "GOVPLAN_HTTPS"
        ]
        == "1"
    )


def test_preloading_is_asked_for() -> None:
    assert read_settings("SECURE_HSTS_PRELOAD", SECURE_HSTS_PRELOAD="1") == {
        "SECURE_HSTS_PRELOAD": True
    }


def deploy_check(**variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment(
            SECRET_KEY="Zq8-vB3k_Lm9xT2pWc7R!yN4dGh6sJ1uEo5aFi0rKt3@bVn8Qw",
            ALLOWED_HOSTS="govplan.example.gov.vn",
            DATABASE_URL="postgres://govplan@db.example:5432/govplan",
            **variables,
        ),
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deploy_check_is_clean_in_production() -> None:
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_names_what_an_opt_out_gives_up() -> None:
    result = deploy_check(GOVPLAN_HTTPS="0")
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stdout + result.stderr


# --- e-mail --------------------------------------------------------------------------------

EMAIL = ("EMAIL_BACKEND", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_PORT")


def test_smtp_goes_over_tls_when_a_server_is_configured() -> None:
    assert read_settings(*EMAIL, EMAIL_HOST="smtp.example.gov.vn") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_PORT": 587,
    }
    implicit = read_settings(*EMAIL, EMAIL_HOST="smtp.example.gov.vn", EMAIL_USE_SSL="1")
    assert (implicit["EMAIL_USE_TLS"], implicit["EMAIL_USE_SSL"], implicit["EMAIL_PORT"]) == (
        False,
        True,
        465,
    )
    relay = read_settings(*EMAIL, EMAIL_HOST="localhost", EMAIL_USE_TLS="0")
    assert (relay["EMAIL_USE_TLS"], relay["EMAIL_PORT"]) == (False, 25)


# --- secrets from files ----------------------------------------------------------------------


def start(**variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment(**variables),
        capture_output=True,
        text=True,
        check=False,
    )


def test_secrets_come_from_files(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("k" * 60 + "\n", encoding="utf-8")
    password = tmp_path / "smtp"
    password.write_text("mật-khẩu smtp\n", encoding="utf-8")
    database = tmp_path / "db"
    database.write_text("postgres://govplan:bí-mật@db.example:5432/govplan\n", encoding="utf-8")
    env = {
        "SECRET_KEY": "",
        "SECRET_KEY_FILE": str(key),
        "EMAIL_HOST_PASSWORD_FILE": str(password),
        "DATABASE_URL_FILE": str(database),
    }
    values = read_settings("SECRET_KEY", "EMAIL_HOST_PASSWORD", "DATABASES", **env)
    assert values["SECRET_KEY"] == "k" * 60
    assert values["EMAIL_HOST_PASSWORD"] == "mật-khẩu smtp"
    assert values["DATABASES"]["default"]["HOST"] == "db.example"
    assert values["DATABASES"]["default"]["PASSWORD"] == "bí-mật"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"SECRET_KEY": "", "SECRET_KEY_FILE": "/nonexistent/key"},
            "SECRET_KEY_FILE='/nonexistent/key' cannot be read",
        ),
        ({"SECRET_KEY_FILE": "{key}"}, "Set SECRET_KEY or SECRET_KEY_FILE, not both"),
        (
            {"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"},
            "EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive",
        ),
    ],
)
def test_a_secret_file_that_cannot_be_used_stops_the_start(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    key = tmp_path / "key"
    key.write_text("k" * 60, encoding="utf-8")
    filled = {name: value.replace("{key}", str(key)) for name, value in variables.items()}
    result = start(**filled)
    assert result.returncode != 0
    assert message in result.stderr


# --- Cache-Control --------------------------------------------------------------------------


def test_signed_in_pages_are_not_stored(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    for name in ("home", "profile"):
        cache_control = client.get(reverse(name))["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_what_anyone_may_cache_is_left_alone_and_any_download_is_not_stored() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    from govplan.webutils.middleware import NoStoreMiddleware

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    public = NoStoreMiddleware(lambda r: HttpResponse("x"))(request)
    assert "Cache-Control" not in public

    def download(r: object) -> HttpResponse:
        response = HttpResponse(b"PK", content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="a.zip"'
        return response

    assert "no-store" in NoStoreMiddleware(download)(request)["Cache-Control"]


def test_a_download_by_a_signed_in_user_is_not_stored(cast: Cast, document_a) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast.editor_a)
    response = client.get(reverse("document_xlsx", args=[document_a.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_the_static_files_are_answered_before_the_no_store_rule_in_production() -> None:
    middleware = read_settings("MIDDLEWARE")["MIDDLEWARE"]
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "govplan.webutils.middleware.NoStoreMiddleware"
    )
