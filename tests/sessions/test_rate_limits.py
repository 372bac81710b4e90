"""Rate limits on saves, imports and exports: per user and for everyone, 429 with Retry-After
and a clear message, nothing saved when refused."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from govplan.documents.actions import do_create_document
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.webutils.ratelimits import VIEW_KINDS, rate_limited
from tests.conftest import Cast
from tests.support.documents import every_feature_document
from tests.web.settings_probe import read_settings

TOO_MANY_SAVES = "Bạn đã lưu quá nhiều lần trong thời gian ngắn"


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {
        "save": {"user": "3/m", "global": "100/m"},
        "import": {"user": "2/m", "global": "100/m"},
        "export": {"user": "2/m", "global": "100/m"},
        "api": {"user": "2/m", "global": "100/m"},
    }
    caches["ratelimit"].clear()
    yield settings
    caches["ratelimit"].clear()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_row(client: Client, document: Document, name: str) -> Any:
    return client.post(
        reverse("document_entry_add", args=[document.pk]),
        data=json.dumps({"container": "row:projects", "content": {"cells": {"name": name}}}),
        content_type="application/json",
    )


def test_a_user_over_the_save_limit_gets_429_json_with_retry_after_and_nothing_saved(
    cast: Cast, limits: Any
) -> None:
    document = every_feature_document(cast)
    client = client_for(cast.editor_a)
    for i in range(3):
        assert add_row(client, document, f"Dự án {i}").status_code == 200
    counts = (Entry.objects.count(), EntryVersion.objects.count())
    refused = add_row(client, document, "Dự án thừa")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["status"] == "rate_limited"
    assert TOO_MANY_SAVES in body["errors"][""]
    assert f"{body['retry_after']} giây" in body["errors"][""]
    assert (Entry.objects.count(), EntryVersion.objects.count()) == counts
    assert not Entry.objects.filter(content__cells__name="Dự án thừa").exists()
    # Another user is not limited by this one's saves.
    other = do_create_document(
        unit=cast.province_b, version=document.framework_version, actor=cast.editor_b
    )
    assert add_row(client_for(cast.editor_b), other, "Dự án B").status_code == 200


def test_everyone_together_is_limited_too(cast: Cast, limits: Any) -> None:
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "save": {"user": "100/m", "global": "4/m"}}
    document = every_feature_document(cast)
    other = do_create_document(
        unit=cast.province_b, version=document.framework_version, actor=cast.editor_b
    )
    a, b = client_for(cast.editor_a), client_for(cast.editor_b)
    assert [add_row(a, document, "a1").status_code, add_row(b, other, "b1").status_code] == [
        200,
        200,
    ]
    assert [add_row(a, document, "a2").status_code, add_row(b, other, "b2").status_code] == [
        200,
        200,
    ]
    assert add_row(b, other, "b3").status_code == 429
    assert add_row(a, document, "a3").status_code == 429


def test_a_download_over_the_limit_is_a_page_with_the_message(
    cast: Cast, limits: Any, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    url = reverse("document_xlsx", args=[document_a.pk])
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"].isdigit()
    page = refused.content.decode()
    assert "Bạn đã xuất và tải xuống quá nhiều lần trong thời gian ngắn" in page
    assert refused["Content-Type"].startswith("text/html")


def test_imports_are_limited_and_only_posts_count(
    cast: Cast, limits: Any, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    url = reverse("document_import", args=[document_a.pk])
    for _ in range(5):  # opening the page costs nothing
        assert client.get(url).status_code == 200
    statuses = [client.post(url, {}).status_code for _ in range(3)]
    assert statuses[2] == 429 and 429 not in statuses[:2]


def test_limits_off_means_no_limit(cast: Cast, limits: Any, document_a: Document) -> None:
    limits.RATE_LIMITS_ENABLED = False
    client = client_for(cast.editor_a)
    url = reverse("document_xlsx", args=[document_a.pk])
    assert {client.get(url).status_code for _ in range(4)} == {200}


def test_the_api_takes_the_decorator(limits: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    @rate_limited("api")
    def endpoint(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    factory = RequestFactory()

    def call() -> HttpResponse:
        request = factory.get("/api/v1/plans.json", REMOTE_ADDR="192.0.2.50")
        request.user = AnonymousUser()
        return endpoint(request)  # type: ignore[return-value]

    assert [call().status_code, call().status_code] == [200, 200]
    refused = call()
    assert refused.status_code == 429
    assert json.loads(refused.content)["errors"][""].startswith("Quá nhiều yêu cầu")


def test_a_broken_cache_lets_the_save_through_and_is_logged(
    cast: Cast, limits: Any, caplog: Any
) -> None:
    document = every_feature_document(cast)
    working = limits.CACHES
    limits.CACHES = {**working, "ratelimit": {"BACKEND": "tests.sessions.broken_cache.BrokenCache"}}
    try:
        with caplog.at_level(logging.ERROR, logger="govplan.webutils.ratelimits"):
            assert add_row(client_for(cast.editor_a), document, "Vẫn lưu").status_code == 200
    finally:
        limits.CACHES = working
    assert "the cache failed" in caplog.text
    assert Entry.objects.filter(content__cells__name="Vẫn lưu").exists()


def test_every_saving_importing_or_exporting_url_has_its_limit() -> None:
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    words = (
        "save",
        "restore",
        "import",
        "upload",
        "attach",
        "xlsx",
        "csv",
        "docx",
        "pdf",
        "download",
        "export",
        "source",
        "letter",
    )
    # Pages and status polls whose names carry such a word but that move no file or data.
    exempt = {
        "document_file",
        "document_file_status",
        "document_file_retry",
        "export_detail",
        "export_list",
        "export_status",
        "export_resume",
        "document_attachment_remove",
    }
    looking = {n for n in names if any(w in n for w in words)} - exempt
    assert looking - set(VIEW_KINDS) == set()
    assert set(VIEW_KINDS) <= names


# --- settings ------------------------------------------------------------------------------


def test_the_defaults_leave_the_load_benchmark_alone() -> None:
    values = read_settings("RATE_LIMITS", "RATE_LIMITS_ENABLED", "CACHES")
    assert values["RATE_LIMITS_ENABLED"] is True
    # bench/load: an editor saves once every 2 to 8 s, at most 30 a minute; 200 of them 6,000.
    assert values["RATE_LIMITS"]["save"] == {"user": "120/m", "global": "12000/m"}
    assert values["CACHES"]["ratelimit"] == {
        "BACKEND": "govplan.webutils.counter_cache.CounterCache",
        "LOCATION": "govplan_rate_counters",
    }


def test_the_cache_and_the_limits_come_from_the_environment() -> None:
    values = read_settings(
        "CACHES",
        "RATE_LIMITS",
        CACHE_URL="redis://cache.example:6379/1",
        RATE_LIMIT_SAVE="0",
        RATE_LIMIT_EXPORT_GLOBAL="10/s",
    )
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.example:6379/1",
    }
    assert values["CACHES"] == {"default": redis, "ratelimit": redis}
    assert values["RATE_LIMITS"]["save"]["user"] is None
    assert values["RATE_LIMITS"]["export"]["global"] == "10/s"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"RATE_LIMIT_SAVE": "lots"}, "RATE_LIMIT_SAVE='lots' is not a rate such as 120/m"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL='memcached://x': use redis://"),
    ],
)
def test_a_bad_limit_or_cache_stops_the_start(variables: dict[str, str], message: str) -> None:
    import subprocess
    import sys

    from tests.web.settings_probe import ROOT, environment

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment(**variables),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
