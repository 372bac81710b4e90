"""The editor page's sections kept in the cache (issue 15, deadline day): a section is laid
out again only when what it shows changed, and a page always shows what is saved now, to
this reader, in their language, with their own CSRF token in every form."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.template import Context
from django.test import Client, override_settings
from django.urls import reverse

from govplan.documents import page_sections
from govplan.documents.actions import do_add_entry, do_attach, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.webutils import helper_cache
from govplan.workflow import actions
from tests.conftest import Cast
from tests.support.documents import page_grid
from tests.support.hostile_files import clean_pdf
from tests.workflow.test_cycle import filled_document

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

SECTION = "documents/_section.html"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def document(cast: Cast) -> Document:
    """A small plan of province A, its section I written."""
    return filled_document(cast)


def client_for(user: Any, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def view(client: Client, document: Document, language: str = "vi") -> HttpResponse:
    client.cookies["django_language"] = language
    response = client.get(reverse("document_edit", args=[document.pk]))
    assert response.status_code == 200
    return response


def laid_out(response: HttpResponse) -> int:
    """How many sections this view laid out (the others came from the cache)."""
    return sum(1 for t in response.templates if t.name == SECTION)


def text(response: HttpResponse) -> str:
    """The page without its CSRF tokens (a new mask at every view)."""
    return TOKEN.sub("", response.content.decode())


def section_html(response: HttpResponse, code: str) -> str:
    page = response.content.decode()
    return page.split(f'data-section="{code}"', 1)[1].split("</section>", 1)[0]


def save_narrative(cast: Cast, document: Document, code: str, html: str) -> None:
    entry = Entry.objects.filter(document=document, key=f"narrative:{code}").first()
    result = do_save_entry(
        document,
        f"narrative:{code}",
        entry.revision if entry else 0,
        {"html": html},
        actor=cast.editor_a,
        locale="vi",
    )
    assert result.status == "saved", result


def attach_pdf(cast: Cast, document: Document, name: str, description: str = "") -> None:
    do_attach(
        document,
        "I",
        data=clean_pdf(),
        filename=name,
        content_type="application/pdf",
        description=description,
        actor=cast.editor_a,
    )


def test_a_second_view_lays_out_no_section_and_shows_the_same(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    first = view(client, document_a)
    sections = first.content.decode().count('class="doc-section ')
    assert sections > 10 and laid_out(first) == sections
    second = view(client, document_a)
    assert laid_out(second) == 0
    assert text(second) == text(first)


def test_a_saved_text_lays_out_its_section_alone_and_shows_at_once(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    view(client, document_a)
    save_narrative(cast, document_a, "II.1", "<p>Hạ tầng mới của tỉnh</p>")
    again = view(client, document_a)
    assert laid_out(again) == 1
    assert "Hạ tầng mới của tỉnh" in section_html(again, "II.1")
    save_narrative(cast, document_a, "II.1", "<p>Lần thứ hai</p>")
    page = section_html(view(client, document_a), "II.1")
    assert "Lần thứ hai" in page and "Hạ tầng mới" not in page


def test_every_session_gets_its_own_csrf_token_in_the_cached_forms(
    cast: Cast, document: Document
) -> None:
    # The editor at two computers: two sessions, two CSRF secrets, one cached section.
    office = client_for(cast.editor_a, enforce_csrf_checks=True)
    view(office, document)  # lays the section out
    home = client_for(cast.editor_a, enforce_csrf_checks=True)
    page = view(home, document)
    assert laid_out(page) == 0  # from the cache …
    assert page_sections.csrf_marker() not in page.content.decode()
    token = TOKEN.search(section_html(page, "I"))
    assert token is not None
    url = reverse("document_section_save", args=[document.pk, "I"])
    sent = {"narrative_base": "1", "narrative": "<p>Từ biểu mẫu</p>"}
    answer = home.post(url, {"csrfmiddlewaretoken": token.group(1), **sent})
    assert answer.status_code == 302  # … with this session's own token: accepted
    assert "Từ biểu mẫu" in Entry.objects.get(document=document, key="narrative:I").content["html"]
    # The other session's token, from its own page, is refused to this one.
    theirs = TOKEN.search(section_html(view(office, document), "I"))
    assert theirs is not None
    refused = home.post(url, {"csrfmiddlewaretoken": theirs.group(1), **sent})
    assert refused.status_code == 403


def test_a_reader_who_may_not_edit_never_gets_the_editors_forms(
    cast: Cast, document: Document
) -> None:
    view(client_for(cast.editor_a), document)  # cached for an editor
    page = view(client_for(cast.viewer_a), document)
    assert laid_out(page) == 1  # another variant: laid out for this reader
    body = page.content.decode()
    assert "nojs-save" not in body and "attach-form" not in body
    assert all("readonly" in tag for tag in re.findall(r"<textarea[^>]*>", body))


def test_a_submitted_document_is_read_only_at_once_for_its_editor(
    cast: Cast, document: Document
) -> None:
    client = client_for(cast.editor_a)
    assert "nojs-save" in view(client, document).content.decode()
    actions.do_transition(document, "submit", actor=cast.editor_a)
    body = view(client, document).content.decode()
    assert "nojs-save" not in body
    assert all("readonly" in tag for tag in re.findall(r"<textarea[^>]*>", body))


def test_a_comment_and_its_answer_show_at_once_on_both_sides(
    cast: Cast, document: Document
) -> None:
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    agency, appraiser = client_for(cast.editor_a), client_for(cast.appraiser)
    view(agency, document), view(appraiser, document)
    comment = actions.do_comment(
        document,
        actor=cast.appraiser,
        section_code="I",
        anchor="",
        anchor_label="",
        text="Bổ sung số liệu năm 2026",
    )
    for client in (agency, appraiser):
        assert "Bổ sung số liệu năm 2026" in section_html(view(client, document), "I")
    actions.do_reply(comment, actor=cast.editor_a, text="Đã bổ sung")
    page = section_html(view(appraiser, document), "I")
    assert "Đã bổ sung" in page
    assert reverse("document_comment_resolve", args=[document.pk, comment.pk]) in page
    # The agency sees the answer but never the appraiser's forms, though both are cached.
    agency_page = section_html(view(agency, document), "I")
    assert "Đã bổ sung" in agency_page
    assert reverse("document_comment_resolve", args=[document.pk, comment.pk]) not in agency_page


def test_an_attachment_shows_at_once(cast: Cast, document: Document) -> None:
    client = client_for(cast.editor_a)
    view(client, document)
    attach_pdf(cast, document, "Biên bản khảo sát.pdf", "Khảo sát hiện trạng")
    page = section_html(view(client, document), "I")
    assert "Biên bản khảo sát.pdf" in page and "Khảo sát hiện trạng" in page


def test_each_language_is_laid_out_in_its_own_words(cast: Cast, document: Document) -> None:
    client = client_for(cast.editor_a)
    assert "Lưu mục này" in view(client, document, "vi").content.decode()
    english = view(client, document, "en").content.decode()
    assert "Save this section" in english and "Lưu mục này" not in english
    assert "Lưu mục này" in view(client, document, "vi").content.decode()


def test_a_template_edited_while_debugging_is_laid_out_again() -> None:
    template = next(p for p in page_sections._template_files() if p.name == "_section.html")
    stat = template.stat()
    with override_settings(DEBUG=True):
        before = page_sections.layout_revision()
        try:
            os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
            assert page_sections.layout_revision() != before
        finally:
            os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert page_sections.layout_revision() == before


class BrokenCache:
    """A cache whose every read and write fails (Redis gone, a full disk, a damaged file)."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the cache is gone")

    get = get_many = set = set_many = _fail


def test_a_cache_that_fails_costs_time_never_the_page(
    cast: Cast, document_a: Document, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    save_narrative(cast, document_a, "II.1", "<p>Viết khi bộ nhớ đệm hỏng</p>")
    do_add_entry(
        document_a,
        "row:projects",
        {"cells": {"name": "Kho dữ liệu dùng chung", "total": "1.000"}, "phasing": {}},
        actor=cast.editor_a,
        locale="vi",
    )
    monkeypatch.setattr(helper_cache, "cache", BrokenCache())
    client = client_for(cast.editor_a)
    for _ in range(2):
        page = view(client, document_a)
        assert "Viết khi bộ nhớ đệm hỏng" in section_html(page, "II.1")
        names = [r["cells"]["name"] for r in page_grid(page.content.decode(), "projects")]
        assert names == ["Kho dữ liệu dùng chung"]
        assert laid_out(page) == page.content.decode().count('class="doc-section ')
    assert "cache read failed" in caplog.text and "cache write failed" in caplog.text


ALLOWED = {"s", "document", "editable", "wf", "legal_types", "csrf_token", "True", "False", "None"}


class Recording(Context):
    """A context noting every name a template asks of its caller (not those its own loops,
    withs and includes set)."""

    seen: set[str]

    def _note(self, key: str) -> None:
        if not any(key in layer for layer in self.dicts[2:]):
            self.seen.add(key)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: str, otherwise: Any = None) -> Any:
        self._note(key)
        return super().get(key, otherwise)


class Watched:
    """An object that notes the attributes read of it."""

    def __init__(self, real: Any, read: set[str]) -> None:
        self._real, self._read = real, read

    def __getattr__(self, name: str) -> Any:
        self._read.add(name)
        return getattr(self._real, name)


class WatchedDict(dict):  # type: ignore[type-arg]
    read: set[str]

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def test_a_section_is_laid_out_from_nothing_but_what_its_key_names(
    cast: Cast, document_a: Document, document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cached HTML is right only if the section template reads nothing beyond its block,
    the reader's variant and the document's id: every section of a full plan and of one
    under appraisal with a comment and an attachment, laid out for each kind of reader."""
    names: set[str] = set()
    document_reads: set[str] = set()
    variant_reads: set[str] = set()
    real = page_sections.get_template(page_sections.SECTION_TEMPLATE)

    class Spy:
        def render(self, values: dict[str, Any]) -> str:
            wf = WatchedDict(values["wf"])
            wf.read = variant_reads
            watched = {**values, "document": Watched(values["document"], document_reads), "wf": wf}
            context = Recording(watched, autoescape=True)
            context.seen = names
            return real.template.render(context)

    monkeypatch.setattr(page_sections, "get_template", lambda name: Spy())
    attach_pdf(cast, document, "Biên bản.pdf")
    actions.do_transition(document, "submit", actor=cast.editor_a)
    actions.do_transition(document, "start_appraisal", actor=cast.appraiser)
    actions.do_comment(
        document, actor=cast.appraiser, section_code="I", anchor="", anchor_label="", text="Xem lại"
    )
    for user, shown in (
        (cast.editor_a, document_a),
        (cast.viewer_a, document_a),
        (cast.appraiser, document),
        (cast.editor_a, document),
    ):
        assert laid_out(view(client_for(user), shown)) > 0
    assert names <= ALLOWED, names - ALLOWED
    assert document_reads == {"pk"}
    assert variant_reads <= {"is_agency", "is_appraiser"}
