"""The legal-document catalogue kept by central administrators in the interface: the list
shows codes; they add, correct, retire (no longer offered, kept where cited) and bring back
entries; an editor's "not in the catalogue" document is a proposal they accept, merge or
reject; the editor's picker offers only entries issued before the document's period ends."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from docx import Document as Docx

from govplan.audit.models import AuditEvent
from govplan.documents.actions import do_save_entry
from govplan.documents.content import ContentError
from govplan.documents.models import Document, Entry
from govplan.frameworks.catalogues import load_shipped_catalogues
from govplan.frameworks.models import LegalDocument, LegalStatus
from tests.conftest import Cast
from tests.support.nation import emptied_slice

pytestmark = pytest.mark.django_db

LAW = "LUAT-67-2006-QH11"


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def picker_codes(page: str) -> set[str]:
    """The codes the editor's legal picker offers in section I: the framework's suggestions
    in its select, and the rest of the catalogue, written once for the page."""
    select = page.split('id="legal-I" class="legal-select">', 1)[1].split("</select>", 1)[0]
    codes = set(re.findall(r'<option value="([^"]+)">', select))
    if '<template id="legal-catalogue">' in page:
        shared = page.split('<template id="legal-catalogue">', 1)[1].split("</template>", 1)[0]
        codes |= set(re.findall(r'<option value="([^"]+)">', shared))
    return codes


def offered(cast: Cast, document: Document) -> set[str]:
    """The codes the editor's legal picker offers in section I."""
    page = client_for(cast.editor_a).get(reverse("document_edit", args=[document.pk]))
    return picker_codes(page.content.decode())


def propose(cast: Cast, document: Document, number: str, date: str = "2026-05-12") -> str:
    response = client_for(cast.editor_a).post(
        reverse("document_legal_new", args=[document.pk, "I"]),
        {
            "legal_type": "decision",
            "legal_number": number,
            "legal_date": date,
            "legal_issuer": "UBND tỉnh Bắc Ninh",
            "legal_title": "Phê duyệt Kiến trúc Chính quyền số tỉnh Bắc Ninh",
        },
        follow=True,
    )
    return text(response)


def cite(cast: Cast, document: Document, codes: list[str]) -> None:
    entry = Entry.objects.filter(document=document, key="legal:I").first()
    do_save_entry(
        document,
        "legal:I",
        entry.revision if entry else 0,
        {"items": [{"code": c} for c in codes]},
        actor=cast.editor_a,
        locale="vi",
    )


ENTRY = {
    "code": "TTLT-19-2012",
    "doc_type": "circular",
    "number": "19/2012/TTLT-BTC-BKH&ĐT-BTTTT",
    "date": "2012-02-15",
    "issuer": "Bộ Tài chính, Bộ Kế hoạch và Đầu tư, Bộ Thông tin và Truyền thông",
    "title": "Hướng dẫn quản lý và sử dụng kinh phí thực hiện Chương trình quốc gia về ứng "
    "dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước",
}


def test_central_administrators_see_the_codes_and_add_an_entry(
    cast: Cast, document_a: Document
) -> None:
    admin = client_for(cast.central_admin)
    page = text(admin.get(reverse("legal_list")))
    assert LAW in page and "67/2006/QH11" in page  # the code beside the number
    assert "Thêm văn bản vào danh mục" in page or reverse("legal_add") in page
    assert reverse("legal_list") in text(admin.get(reverse("home")))  # the menu link
    assert reverse("legal_add") not in text(client_for(cast.editor_a).get(reverse("legal_list")))
    response = admin.post(reverse("legal_add"), ENTRY)
    assert response.status_code == 302
    added = LegalDocument.objects.get(code="TTLT-19-2012")
    assert (added.status, added.date) == (LegalStatus.CATALOGUE, dt.date(2012, 2, 15))
    assert AuditEvent.objects.filter(object_id=str(added.pk), action="create").exists()
    assert "TTLT-19-2012" in offered(cast, document_a)
    assert "TTLT-19-2012" in text(admin.get(reverse("legal_list")))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"code": LAW}, "code", f"Danh mục đã có mã {LAW}."),
        ({"code": "qd 749"}, "code", "Mã gồm chữ in hoa, chữ số"),
        ({"title": "   "}, "title", "Trường này là bắt buộc."),
        ({"doc_type": "poem"}, "doc_type", "poem"),
        ({"date": "31/02/2020"}, "date", "ngày"),
    ],
)
def test_a_wrong_entry_is_refused_at_its_field_and_nothing_is_added(
    cast: Cast, change: dict[str, str], field: str, message: str
) -> None:
    before = LegalDocument.objects.count()
    page = text(client_for(cast.central_admin).post(reverse("legal_add"), {**ENTRY, **change}))
    block = page.split(f'id="id_{field}"', 1)[1].split('<div class="field', 1)[0]
    assert message.lower() in block.lower(), block
    assert LegalDocument.objects.count() == before


def test_a_correction_is_kept_and_the_shipped_file_does_not_undo_it(cast: Cast) -> None:
    admin = client_for(cast.central_admin)
    law = LegalDocument.objects.get(code=LAW)
    url = reverse("legal_edit", args=[law.pk])
    form = {
        "doc_type": "law",
        "number": "67/2006/QH11",
        "date": "2006-06-29",
        "issuer": "Quốc hội",
        "title": "Luật Công nghệ thông tin (sửa)",
    }
    refused = text(admin.post(url, {**form, "number": ""}))
    assert "errorlist" in refused
    law.refresh_from_db()
    assert law.title == "Luật Công nghệ thông tin"  # nothing changed
    assert admin.post(url, form).status_code == 302
    load_shipped_catalogues()
    law.refresh_from_db()
    assert (law.code, law.title) == (LAW, "Luật Công nghệ thông tin (sửa)")


def test_a_retired_entry_is_no_longer_offered_but_stays_where_it_is_cited(
    cast: Cast, document_a: Document, document_b_fixture: Document
) -> None:
    cite(cast, document_a, [LAW])
    admin = client_for(cast.central_admin)
    law = LegalDocument.objects.get(code=LAW)
    admin.post(reverse("legal_status", args=[law.pk]), {"action": "retire"})
    law.refresh_from_db()
    assert law.status == LegalStatus.RETIRED
    assert "Đã thôi sử dụng" in text(admin.get(reverse("legal_list")))
    assert LAW not in offered(cast, document_a)
    editor = text(client_for(cast.editor_a).get(reverse("document_edit", args=[document_a.pk])))
    assert "Đã thôi sử dụng trong danh mục" in editor  # beside the citation it keeps
    # The plan citing it keeps it, and saving its list again keeps it.
    cite(cast, document_a, [LAW, "ND-42-2022"])
    docx = client_for(cast.editor_a).get(reverse("document_docx", args=[document_a.pk]))
    printed = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
    assert "Luật Công nghệ thông tin số 67/2006/QH11" in printed
    # Another plan cannot cite it any more: refused, saying why.
    other = document_b_fixture
    with pytest.raises(ContentError) as refused:
        do_save_entry(
            other, "legal:I", 0, {"items": [{"code": LAW}]}, actor=cast.editor_b, locale="vi"
        )
    assert "67/2006/QH11" in str(refused.value.errors)
    assert not Entry.objects.filter(document=other, key="legal:I").exists()
    admin.post(reverse("legal_status", args=[law.pk]), {"action": "reinstate"})
    assert LAW in offered(cast, document_a)


def test_the_picker_offers_only_documents_issued_before_the_period_ends(
    cast: Cast, document_a: Document
) -> None:
    """Province A's 2027 plan: a decision of 2028 is not offered, and cannot be cited."""
    later = {**ENTRY, "code": "QD-1-2028-TTG", "number": "1/QĐ-TTg", "date": "2028-01-05"}
    client_for(cast.central_admin).post(reverse("legal_add"), later)
    assert LegalDocument.objects.filter(code="QD-1-2028-TTG").exists()
    codes = offered(cast, document_a)
    assert "QD-1-2028-TTG" not in codes and LAW in codes
    with pytest.raises(ContentError) as refused:
        cite(cast, document_a, ["QD-1-2028-TTG"])
    assert "05/01/2028" in str(refused.value.errors)


def test_an_editors_addition_is_a_proposal_until_accepted(
    cast: Cast, document_a: Document, document_b_fixture: Document
) -> None:
    page = propose(cast, document_a, "1234/QĐ-UBND")
    assert "đề xuất" in page.lower()
    proposal = LegalDocument.objects.get(number="1234/QĐ-UBND")
    assert proposal.status == LegalStatus.PROPOSED
    assert Entry.objects.get(document=document_a, key="legal:I").content == {
        "items": [{"code": proposal.code}]
    }
    editor = text(client_for(cast.editor_a).get(reverse("document_edit", args=[document_a.pk])))
    assert "Đề xuất: chờ quản trị viên trung ương xem xét" in editor
    # Not in the national catalogue: not listed, not offered to another unit's plan.
    assert proposal.code not in text(client_for(cast.editor_b).get(reverse("legal_list")))
    assert proposal.code not in offered_to_b(cast, document_b_fixture)
    admin = client_for(cast.central_admin)
    queue = text(admin.get(reverse("legal_proposals")))
    assert "1234/QĐ-UBND" in queue and proposal.code in queue
    admin.post(reverse("legal_review", args=[proposal.pk]), {"action": "accept"})
    proposal.refresh_from_db()
    assert proposal.status == LegalStatus.CATALOGUE
    assert proposal.code in offered_to_b(cast, document_b_fixture)


def test_a_proposal_merged_into_an_entry_is_cited_as_that_entry(
    cast: Cast, document_a: Document
) -> None:
    propose(cast, document_a, "67/2006/QH11 (bản chụp)")
    proposal = LegalDocument.objects.get(number="67/2006/QH11 (bản chụp)")
    admin = client_for(cast.central_admin)
    admin.post(reverse("legal_review", args=[proposal.pk]), {"action": "merge", "into": ""})
    proposal.refresh_from_db()
    assert proposal.status == LegalStatus.PROPOSED  # no entry chosen: refused
    admin.post(reverse("legal_review", args=[proposal.pk]), {"action": "merge", "into": LAW})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.merged_into.code) == (LegalStatus.MERGED, LAW)
    docx = client_for(cast.editor_a).get(reverse("document_docx", args=[document_a.pk]))
    printed = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
    assert "Luật Công nghệ thông tin số 67/2006/QH11 ngày 29/06/2006" in printed
    assert "bản chụp" not in printed
    # What the plan saved did not change.
    assert Entry.objects.get(document=document_a, key="legal:I").content == {
        "items": [{"code": proposal.code}]
    }


def test_a_proposal_is_rejected_only_with_a_reason(
    cast: Cast, document_a: Document, document_b_fixture: Document
) -> None:
    propose(cast, document_a, "5/QĐ-UBND")
    proposal = LegalDocument.objects.get(number="5/QĐ-UBND")
    admin = client_for(cast.central_admin)
    page = text(
        admin.post(
            reverse("legal_review", args=[proposal.pk]),
            {"action": "reject", "reason": " "},
            follow=True,
        )
    )
    assert "Hãy nêu lý do từ chối đề xuất." in page
    proposal.refresh_from_db()
    assert proposal.status == LegalStatus.PROPOSED
    admin.post(
        reverse("legal_review", args=[proposal.pk]),
        {"action": "reject", "reason": "Văn bản không thuộc phạm vi danh mục quốc gia"},
    )
    proposal.refresh_from_db()
    assert proposal.status == LegalStatus.REJECTED
    queue = text(admin.get(reverse("legal_proposals")))
    assert "Văn bản không thuộc phạm vi danh mục quốc gia" in queue
    # The plan that cited it still shows it; no other plan may cite it.
    page = text(client_for(cast.editor_a).get(reverse("document_edit", args=[document_a.pk])))
    assert "5/QĐ-UBND" in page and "Đề xuất bị từ chối" in page
    with pytest.raises(ContentError) as refused:
        do_save_entry(
            document_b_fixture,
            "legal:I",
            0,
            {"items": [{"code": proposal.code}]},
            actor=cast.editor_b,
            locale="vi",
        )
    assert "5/QĐ-UBND không có trong danh mục văn bản pháp lý." in str(refused.value.errors)


@pytest.fixture
def document_b_fixture(cast: Cast, document_a: Document) -> Document:
    from govplan.documents.actions import do_create_document

    return do_create_document(
        unit=cast.province_b, version=document_a.framework_version, actor=cast.editor_b
    )


def offered_to_b(cast: Cast, document: Document) -> set[str]:
    page = client_for(cast.editor_b).get(reverse("document_edit", args=[document.pk]))
    return picker_codes(page.content.decode())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_administrators_reviewing_one_proposal_at_once_one_wins() -> None:
    """One accepts while the other rejects the same proposal, at the same moment: the
    proposal ends in one state, with one audit entry for it, and the other is told."""
    from django.core.exceptions import ValidationError

    from govplan.accounts.models import Membership, Role, User
    from govplan.frameworks import legal_actions

    # Its own units: a transactional test cannot count on the reference data of the others.
    central = emptied_slice().central
    admins = []
    for name in ("admin1", "admin2"):
        admin = User.objects.create_user(name, password="x", full_name=f"Quản trị {name}")
        Membership.objects.create(user=admin, org_unit=central, role=Role.CENTRAL_ADMIN)
        admins.append(admin)
    proposal = LegalDocument.objects.create(
        code="DX-TEST-1",
        doc_type="decision",
        number="9/QĐ-UBND",
        issuer="UBND tỉnh",
        title="Về việc thử",
        from_catalogue=False,
        status=LegalStatus.PROPOSED,
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(user: User, what: str) -> None:
        try:
            barrier.wait()
            stale = LegalDocument.objects.get(pk=proposal.pk)
            actor = User.objects.get(pk=user.pk)
            if what == "accept":
                legal_actions.do_accept_legal_proposal(stale, actor=actor)
            else:
                legal_actions.do_reject_legal_proposal(stale, reason="Trùng", actor=actor)
            outcomes[what] = "done"
        except ValidationError as refused:
            outcomes[what] = " ".join(refused.messages)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(admins[0], "accept")),
        threading.Thread(target=act, args=(admins[1], "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v == "done" for v in outcomes.values()) == [False, True], outcomes
    winner = next(w for w, v in outcomes.items() if v == "done")
    proposal.refresh_from_db()
    expected = {"accept": LegalStatus.CATALOGUE, "reject": LegalStatus.REJECTED}[winner]
    assert proposal.status == expected
    assert AuditEvent.objects.filter(object_id=str(proposal.pk)).count() == 1
