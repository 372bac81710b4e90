"""The demo's two-factor accounts: load_demo gives the users whose role requires it an
authenticator with the public demo secret, and demo_otp_code prints the code that logs in."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from govplan.accounts import second_factor
from govplan.accounts.models import User
from govplan.demo.management.commands.load_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_code_logs_in_the_demo_appraiser() -> None:
    call_command("load_demo", "--without-documents", stdout=io.StringIO())
    for name in ("quantri", "thamdinh", "bacninh.lanhdao", "bacninh.thamdinh"):
        assert second_factor.has_second_factor(User.objects.get(username=name)), name
    for name in ("bacninh.bientap", "hanoi.xem"):
        assert not second_factor.has_second_factor(User.objects.get(username=name)), name
    out = io.StringIO()
    call_command("demo_otp_code", "thamdinh", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client = Client()
    response = client.post(reverse("login"), {"username": "thamdinh", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith(reverse("otp_verify"))
    assert client.post(reverse("otp_verify"), {"token": code})["Location"] == "/"
    assert client.get("/").status_code == 200
    with pytest.raises(CommandError):
        call_command("demo_otp_code", "bacninh.bientap", stdout=io.StringIO())
