"""A download of an official file already made finds it without building the model it prints
(issue 15, deadline day): the file is named by cheap revision data (official.rendering's
inputs_key), and every change of what the document prints names another file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from govplan.demo.documents import fill_for_demo
from govplan.documents import cycles
from govplan.documents.actions import do_add_entry, do_move_entry, do_save_entry
from govplan.documents.models import Document, Entry
from govplan.frameworks.models import LegalDocument
from govplan.official import file_requests, rendering
from govplan.official.actions import do_save_profile
from govplan.official.defaults import profile_values
from govplan.official.file_requests import do_request_file
from govplan.official.models import IssuingData
from govplan.orgunits.models import OrgUnit, OrgUnitName
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


class Counting:
    """``file_requests.wanted`` (builds the model and keys it), counting its calls."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


@pytest.fixture
def plan(cast: Cast, document_a: Document, monkeypatch: pytest.MonkeyPatch) -> Document:
    monkeypatch.setattr(file_requests, "_enqueue", lambda row: None)  # no worker: rows wait
    fill_for_demo(document_a, actor=cast.editor_a)
    do_add_entry(
        document_a,
        "row:projects",
        {"cells": {"name": "Dự án thứ hai"}, "phasing": {}},
        actor=cast.editor_a,
        locale="vi",
    )
    return document_a


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Counting:
    counting = Counting(file_requests.wanted)
    monkeypatch.setattr(file_requests, "wanted", counting)
    return counting


def fresh(document: Document) -> Document:
    return Document.objects.select_related("org_unit", "framework_version").get(pk=document.pk)


def request(document: Document, cast: Cast) -> Any:
    return do_request_file(fresh(document), "docx", actor=cast.editor_a)


def test_a_file_asked_for_again_is_found_without_building_the_model(
    cast: Cast, plan: Document, builds: Counting
) -> None:
    first = request(plan, cast)
    assert builds.calls == 1
    again = request(plan, cast)
    assert again.pk == first.pk and builds.calls == 1
    assert first.key == rendering.wanted(fresh(plan), "docx").key  # the model's own key


def change_narrative(document: Document, cast: Cast) -> None:
    entry = Entry.objects.filter(document=document, kind="narrative").first()
    assert entry is not None
    result = do_save_entry(
        document,
        entry.key,
        entry.revision,
        {"html": "<p>Đã sửa</p>"},
        actor=cast.editor_a,
        locale="vi",
    )
    assert result.status == "saved"


def move_a_row(document: Document, cast: Cast) -> None:
    rows = list(
        Entry.objects.filter(document=document, kind="row", deleted=False).order_by("position")
    )
    assert len(rows) >= 2
    do_move_entry(document, rows[-1].key, None, actor=cast.editor_a)


def change_issuing_data(document: Document, cast: Cast) -> None:
    data, _ = IssuingData.objects.get_or_create(document=document)
    data.subject = "Kế hoạch đã đổi tên"
    data.save()


def change_profile(document: Document, cast: Cast) -> None:
    values = profile_values(document.org_unit)
    values["signer_name"] = "Nguyễn Văn Mới"
    do_save_profile(document.org_unit, values, actor=cast.editor_a)


def change_legal_catalogue(document: Document, cast: Cast) -> None:
    # Edited without a save() (as a catalogue load may): no time stamp to rely on.
    LegalDocument.objects.filter(pk=LegalDocument.objects.order_by("pk").values("pk")[:1]).update(
        title="Tiêu đề đã sửa"
    )


def rename_the_unit(document: Document, cast: Cast) -> None:
    # As a reference data load writes it (bulk, no time stamp).
    OrgUnit.objects.filter(pk=document.org_unit_id).update(name="Tỉnh Tên Mới")


def rename_the_unit_in_its_history(document: Document, cast: Cast) -> None:
    OrgUnitName.objects.create(
        unit=document.org_unit, valid_from=dt.date(2000, 1, 1), name="Tỉnh Tên Cũ"
    )


def submit(document: Document, cast: Cast) -> None:
    Document.objects.filter(pk=document.pk).update(status="submitted", revision=1)


@pytest.mark.parametrize(
    "change",
    [
        change_narrative,
        move_a_row,
        change_issuing_data,
        change_profile,
        change_legal_catalogue,
        rename_the_unit,
        rename_the_unit_in_its_history,
        submit,
    ],
)
def test_every_change_of_what_is_printed_names_another_file(
    cast: Cast, plan: Document, builds: Counting, change: Callable[[Document, Cast], None]
) -> None:
    before = rendering.inputs_key(fresh(plan))
    request(plan, cast)
    change(fresh(plan), cast)
    after = rendering.inputs_key(fresh(plan))
    assert after is not None and after != before
    served = request(plan, cast)
    assert builds.calls == 2  # the model was built again, not taken from the earlier name
    assert served.key == rendering.wanted(fresh(plan), "docx").key


def test_a_name_the_cache_holds_for_a_file_since_deleted_builds_the_model(
    cast: Cast, plan: Document, builds: Counting
) -> None:
    first = request(plan, cast)
    first.delete()
    again = request(plan, cast)
    assert builds.calls == 2 and again.pk != first.pk and again.key == first.key


def test_a_wrong_key_in_the_cache_serves_nothing_wrong(
    cast: Cast, plan: Document, builds: Counting
) -> None:
    inputs = rendering.inputs_key(fresh(plan))
    assert inputs is not None
    cache.set(rendering._remembered(inputs), "not-a-key-of-any-file")
    served = request(plan, cast)
    assert builds.calls == 1
    assert served.key == rendering.wanted(fresh(plan), "docx").key
    cache.set(rendering._remembered(inputs), {"hostile": True})
    assert rendering.known_key(inputs) is None


def test_no_cheap_name_for_an_issued_document_or_a_draft_framework(
    cast: Cast, plan: Document
) -> None:
    issued = fresh(plan)
    issued.status = "issued"
    assert rendering.inputs_key(issued) is None
    draft = fresh(plan)
    draft.framework_version.published_at = None
    draft.framework_version.status = "draft"
    assert rendering.inputs_key(draft) is None


def test_a_value_of_the_previous_cycle_changed_names_another_file(
    cast: Cast, plan: Document, builds: Counting, published_2018: Any
) -> None:
    # Hà Nội's 2027 plan prints its 2018 plan's values beside its own.
    from django.db.models import F

    from govplan.documents.actions import do_create_document
    from tests.conftest import example_version

    old = do_create_document(unit=cast.province_b, version=published_2018, actor=cast.editor_b)
    # A value as stored (the values the 2027 plan maps from the 2018 indicators).
    value = Entry.objects.create(
        document=old,
        key="value:DVC.TRUC_TUYEN_2011",
        kind="value",
        content={"cells": {"M4": "12", "M3": "40"}},
        revision=1,
    )
    new = do_create_document(unit=cast.province_b, version=example_version(), actor=cast.editor_b)
    assert [s.document for s in cycles.previous_documents(new.org_unit, new.framework_version)] == [
        old
    ]
    before = rendering.inputs_key(fresh(new))
    request(new, cast)
    Entry.objects.filter(pk=value.pk).update(
        content={**value.content, "comment": "sửa"}, revision=F("revision") + 1
    )
    assert rendering.inputs_key(fresh(new)) != before
    served = request(new, cast)
    assert builds.calls == 2
    assert served.key == rendering.wanted(fresh(new), "docx").key


def test_a_save_while_the_model_is_built_never_maps_the_new_state_to_the_old_file(
    cast: Cast, plan: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The inputs are named before the model is built: a save landing in between maps the
    # older name to the newer model, and the newer name is built afresh.
    real = file_requests.wanted
    saved: list[bool] = []

    def save_meanwhile(document: Document, kind: str) -> Any:
        if not saved:
            saved.append(True)
            change_narrative(fresh(document), cast)
        return real(fresh(document), kind)

    monkeypatch.setattr(file_requests, "wanted", save_meanwhile)
    first = request(plan, cast)
    now = rendering.wanted(fresh(plan), "docx").key
    assert first.key == now  # built after the save: the newer model
    again = request(plan, cast)
    assert again.key == now
