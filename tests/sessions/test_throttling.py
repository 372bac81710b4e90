"""Lockouts per account and per address, and the client address behind trusted proxies."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from govplan.audit.models import Action, AuditEvent
from govplan.webutils.client_ip import client_ip, client_ip_from_meta
from tests.conftest import PASSWORD, Cast

LOCKED = "Đăng nhập không thành công quá nhiều lần"


@pytest.fixture
def axes_on(settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    return settings


def fail(client: Client, username: str) -> int:
    return login(client, username, "sai-mật-khẩu")


def login(client: Client, username: str, password: str = PASSWORD) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


def test_48_failures_over_12_names_from_one_address_lock_that_address(cast: Cast, axes_on) -> None:  # type: ignore[no-untyped-def]
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [fail(guesser, f"ten{i % 12}") for i in range(48)]
    # No name reached 5 failures; the address reached its limit of 20.
    assert statuses[:19] == [200] * 19
    assert set(statuses[20:]) == {429}
    # Locked for every name, even a real account with its right password.
    locked = guesser.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.50")
    assert login(other, "editor_a") == 302


def test_an_account_is_locked_whatever_address_the_guesses_come_from(cast: Cast, axes_on) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        assert fail(Client(REMOTE_ADDR=f"198.51.100.{i + 1}"), "editor_a") in (200, 429)
    elsewhere = Client(REMOTE_ADDR="203.0.113.77")
    response = elsewhere.post(reverse("login"), {"username": "editor_a", "password": PASSWORD})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Other accounts still log in from those addresses.
    assert (
        Client(REMOTE_ADDR="198.51.100.1")
        .post(reverse("login"), {"username": "editor_b", "password": PASSWORD})
        .status_code
        == 302
    )


def test_logging_in_does_not_clear_the_addresss_guesses(cast: Cast, axes_on) -> None:  # type: ignore[no-untyped-def]
    axes_on.AXES_ADDRESS_FAILURE_LIMIT = 6
    guesser = Client(REMOTE_ADDR="198.51.100.8")
    for i in range(4):
        fail(guesser, f"ten{i}")
    assert login(guesser, "editor_b") == 302
    guesser.logout()
    fail(guesser, "ten5")
    assert fail(guesser, "ten6") == 429


def test_limits_are_configurable(cast: Cast, axes_on) -> None:  # type: ignore[no-untyped-def]
    axes_on.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="198.51.100.9")
    fail(client, "editor_a")
    assert fail(client, "editor_a") == 429


# --- the client's address --------------------------------------------------------------------


def meta(forwarded: str | None, remote: str = "10.0.0.1") -> dict[str, str]:
    values = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        values["HTTP_X_FORWARDED_FOR"] = forwarded
    return values


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("6.6.6.6", 0, "10.0.0.1"),  # no proxy trusted: the header is the client's word
        ("6.6.6.6, 192.0.2.4", 1, "192.0.2.4"),  # one proxy appended the real address
        ("192.0.2.4", 1, "192.0.2.4"),
        ("6.6.6.6, 192.0.2.4, 10.1.1.1", 2, "192.0.2.4"),
        ("192.0.2.4, 10.1.1.1", 2, "192.0.2.4"),
        (None, 1, "10.0.0.1"),  # not through the proxy: the connection's address
        ("192.0.2.4", 2, "10.0.0.1"),  # fewer entries than proxies: ditto
        ("6.6.6.6, không-phải", 1, None),  # the proxy's entry is no address: none recorded
        ("  ,192.0.2.4 ", 1, "192.0.2.4"),
    ],
)
def test_the_client_address_is_the_nth_from_the_right(
    forwarded: str | None, proxies: int, expected: str | None
) -> None:
    assert client_ip_from_meta(meta(forwarded), proxies) == expected


def test_the_deprecated_switch_means_one_proxy() -> None:
    from tests.web.settings_probe import read_settings

    def count(**variables: str) -> int:
        return int(read_settings("TRUSTED_PROXY_COUNT", **variables)["TRUSTED_PROXY_COUNT"])

    assert count() == 0
    assert count(TRUST_X_FORWARDED_FOR="1") == 1
    assert count(TRUSTED_PROXY_COUNT="2") == 2


@pytest.mark.parametrize(("proxies", "expected"), [(0, "10.0.0.1"), (1, "192.0.2.4")])
def test_a_forged_forwarded_address_reaches_neither_axes_nor_the_audit_trail(
    cast: Cast,
    axes_on,
    proxies: int,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    axes_on.TRUSTED_PROXY_COUNT = proxies
    forged = "6.6.6.6" if proxies == 0 else "6.6.6.6, 192.0.2.4"
    Client(REMOTE_ADDR="10.0.0.1").post(
        reverse("login"),
        {"username": "editor_a", "password": "sai"},
        HTTP_X_FORWARDED_FOR=forged,
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [expected]
    failure = AuditEvent.objects.get(action=Action.LOGIN_FAILURE)
    assert failure.ip == expected


def test_axes_and_the_audit_trail_use_one_function(settings) -> None:  # type: ignore[no-untyped-def]
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.9", REMOTE_ADDR="10.0.0.1"
    )
    assert get_client_ip_address(request) == client_ip(request) == "192.0.2.9"
