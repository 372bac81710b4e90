"""The facts stay exact through any sequence of what people do (the issue's property): a
seeded random walk of edits, deletions, restores, imports and workflow steps on two
documents, after which ``rebuild_facts`` finds no difference. And the check can fail: a
fact altered behind the application's back is reported, and ``--fix`` repairs it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from govplan.core import workflow as machine
from govplan.core.adapters.xlsx import RowData
from govplan.documents import actions
from govplan.documents.content import ContentError
from govplan.documents.models import Document, Entry, EntryVersion
from govplan.documents.tables_xlsx import ImportRefused, do_apply_import, do_preview_import
from govplan.facts.models import BudgetFact, ValueFact
from govplan.national import rebuild
from govplan.workflow import actions as workflow
from tests.conftest import Cast
from tests.documents.test_xlsx_and_files import workbook_with
from tests.facts.helpers import small_framework
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

ROWS = "row:projects"


class Walk:
    """Two documents and the people who act on them, driven by one random generator."""

    def __init__(self, cast: Cast, seed: int) -> None:
        self.cast = cast
        self.rng = random.Random(seed)
        version = publish(small_framework(), cast.central_admin)
        self.documents = [
            actions.do_create_document(unit=unit, version=version, actor=editor)
            for unit, editor in (
                (cast.province_a, cast.editor_a),
                (cast.province_b, cast.editor_b),
            )
        ]
        self.editors = {cast.province_a.pk: cast.editor_a, cast.province_b.pk: cast.editor_b}
        self.done: list[str] = []
        for document in self.documents:  # something to freeze from the first submission on
            self.add_row(document)
            self.save_value(document)

    # -- helpers ----------------------------------------------------------------------
    def document(self) -> Document:
        return Document.objects.get(pk=self.rng.choice(self.documents).pk)

    def editor(self, document: Document) -> Any:
        return self.editors[document.org_unit_id]

    def figure(self) -> str:
        return str(self.rng.choice([0, 1, 7, 12, 250, 1000]))

    def entry(self, document: Document, kind: str, *, deleted: bool | None = False) -> Entry | None:
        found = Entry.objects.filter(document=document, kind=kind)
        if deleted is not None:
            found = found.filter(deleted=deleted)
        entries = list(found.order_by("pk"))
        return self.rng.choice(entries) if entries else None

    def phasing(self) -> dict[str, str]:
        years = ["2027", "2028", "0"]
        sources = ["central_budget", "provincial_budget"]
        return {
            f"{self.rng.choice(years)}|{self.rng.choice(sources)}|capital": self.figure()
            for _ in range(self.rng.randint(0, 3))
        }

    # -- steps ------------------------------------------------------------------------
    def save_value(self, document: Document) -> None:
        key = self.rng.choice(["value:DVC.TONG_SO", "value:HT.LAN", "value:DVC.TRUC_TUYEN"])
        entry = Entry.objects.filter(document=document, key=key).first()
        base = entry.revision if entry else 0
        if self.rng.random() < 0.2:
            base = max(0, base - 1)  # an editor whose page is one save behind: merge or conflict
        shape = self.rng.random()
        if shape < 0.15:
            raw: dict[str, Any] = {"cells": {}, "no_data": True, "no_data_reason": "Chưa có"}
        elif key == "value:HT.LAN":
            d = self.rng.choice([10, 100, 400])
            raw = {"cells": {"": {"n": str(self.rng.randint(0, d)), "d": str(d)}}}
        elif key == "value:DVC.TRUC_TUYEN":
            raw = {
                "cells": {
                    option: self.rng.choice(["", self.figure()])
                    for option in ("TOAN_TRINH", "MOT_PHAN")
                }
            }
        else:
            raw = {"cells": {"": self.rng.choice(["", self.figure()])}}
        actions.do_save_entry(document, key, base, raw, actor=self.editor(document), locale="vi")

    def add_row(self, document: Document) -> None:
        name = f"Dự án {self.rng.randint(1, 999)}"
        status = self.rng.choice(["", "new", "continuing"])
        # The total stays above any phasing: a phasing over it would block every submission.
        cells = {"name": name, "total": "100000"} | ({"status": status} if status else {})
        actions.do_add_entry(
            document,
            ROWS,
            {"cells": cells, "phasing": self.phasing()},
            actor=self.editor(document),
            locale="vi",
        )

    def edit_row(self, document: Document) -> None:
        entry = self.entry(document, "row")
        if entry is None:
            return self.add_row(document)
        raw = {"cells": dict(entry.content.get("cells", {})), "phasing": self.phasing()}
        actions.do_save_entry(
            document, entry.key, entry.revision, raw, actor=self.editor(document), locale="vi"
        )

    def delete(self, document: Document) -> None:
        entry = self.entry(document, self.rng.choice(["row", "value"]))
        if entry is not None:
            actions.do_delete_entry(
                document, entry.key, entry.revision, actor=self.editor(document)
            )

    def restore(self, document: Document) -> None:
        entry = self.entry(document, self.rng.choice(["row", "value"]), deleted=None)
        if entry is None:
            return
        revisions = list(entry.versions.values_list("revision", flat=True))
        actions.do_restore_entry(
            document, entry.key, self.rng.choice(revisions), actor=self.editor(document)
        )

    def move(self, document: Document) -> None:
        entry = self.entry(document, "row")
        if entry is not None:
            actions.do_move_entry(document, entry.key, None, actor=self.editor(document))

    def restore_table(self, document: Document) -> None:
        moments = list(
            EntryVersion.objects.filter(entry__document=document).values_list("saved_at", flat=True)
        )
        moment = self.rng.choice(moments) if moments else timezone.now()
        actions.do_restore_collection(
            document,
            "table:projects",
            moment + dt.timedelta(microseconds=1),
            actor=self.editor(document),
        )

    def import_rows(self, document: Document) -> None:
        live = list(Entry.objects.filter(document=document, kind="row", deleted=False))
        kept = [e for e in live if self.rng.random() < 0.7]
        rows = [
            RowData(
                uid=e.key.rsplit(":", 1)[1],
                cells={"name": e.content["cells"]["name"], "total": "100000"},
                phasing=self.phasing(),
            )
            for e in kept
        ] + [RowData(uid=None, cells={"name": "Dự án nhập"}, phasing=self.phasing())]
        editor = self.editor(document)
        preview = do_preview_import(
            document, workbook_with(document, rows), filename="b.xlsx", actor=editor, locale="vi"
        )
        assert preview.batch is not None, preview.problems
        do_apply_import(preview.batch, actor=editor)

    def transition(self, document: Document) -> None:
        """One of the actions the document's state allows, by whom may take it."""
        cast = self.cast
        by = {
            "submit": (self.editor(document), ""),
            "resubmit": (self.editor(document), ""),
            "withdraw": (self.editor(document), ""),
            "start_appraisal": (cast.appraiser, ""),
            "return": (cast.appraiser, "Chưa đạt"),
            "approve": (cast.appraiser, ""),
            "reopen": (cast.central_admin, "Điều chỉnh"),
        }
        possible = sorted(
            action
            for action, step in machine.TRANSITIONS.items()
            if document.status in step.sources and action in by
        )
        action = self.rng.choice(possible)
        actor, reason = by[action]
        workflow.do_transition(document, action, actor=actor, reason=reason)
        self.done.append(action)

    def step(self) -> None:
        steps: list[Callable[[Document], None]] = [
            self.save_value,
            self.save_value,
            self.add_row,
            self.edit_row,
            self.delete,
            self.restore,
            self.move,
            self.restore_table,
            self.import_rows,
            self.transition,
            self.transition,
            self.transition,
            self.transition,
            self.transition,
        ]
        chosen = self.rng.choice(steps)
        document = self.document()
        try:
            chosen(document)
            self.done.append(chosen.__name__)
        except (PermissionDenied, ContentError, ImportRefused, workflow.Refused):
            self.done.append(f"({chosen.__name__} refused)")


# Seeds whose walks reach an approval of a document holding figures (asserted below): the
# others prove less (seeds 2, 5 and 7 never approve one), not something else.
@pytest.mark.parametrize("seed", [1, 3, 4, 6])
def test_after_any_walk_the_facts_equal_the_entries_and_revisions(
    cast: Cast, seed: int, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.AUTOSAVE_COALESCE_SECONDS = 300 if seed % 2 else 0
    walk = Walk(cast, seed)
    for _ in range(70):
        walk.step()
    # The walk reached every layer, or it proved little.
    layers = set(ValueFact.objects.values_list("layer", flat=True))
    layers |= set(BudgetFact.objects.values_list("layer", flat=True))
    assert layers == {"live", "submitted", "approved"}, " ".join(walk.done)
    assert {"approve", "reopen", "return", "import_rows", "restore_table"} <= set(walk.done)
    report = rebuild.check()
    assert report.documents == 2 and report.facts > 0
    assert report.differences == [], walk.done
    out = StringIO()
    call_command("rebuild_facts", stdout=out)
    assert out.getvalue().strip().endswith("0 differences")


def test_a_corrupted_fact_is_reported_and_fix_repairs_it(cast: Cast) -> None:
    walk = Walk(cast, 7)
    document = walk.documents[0]
    actions.do_save_entry(
        document, "value:DVC.TONG_SO", 0, {"cells": {"": "12"}}, actor=cast.editor_a, locale="vi"
    )
    walk.add_row(document)
    ValueFact.objects.filter(document=document).update(value=13)  # behind the application
    BudgetFact.objects.filter(document=document).delete()
    stored = ValueFact.objects.get(document=document)
    stored.pk, stored.entry_key, stored.indicator_code = None, "value:HT.LAN", "HT.LAN"
    stored.value_type, stored.value, stored.numerator, stored.denominator = "ratio", None, 1, 2
    stored.save()  # a fact no entry gives
    report = rebuild.check()
    assert {(d.table, d.entry_key, d.missing, d.extra) for d in report.differences} >= {
        ("ValueFact", "value:DVC.TONG_SO", 1, 1),
        ("ValueFact", "value:HT.LAN", 0, 1),
    }
    assert any(d.table == "BudgetFact" and d.missing > 0 for d in report.differences) or not (
        Entry.objects.get(document=document, kind="row").content.get("phasing")
    )
    with pytest.raises(CommandError):
        call_command("rebuild_facts", stdout=StringIO())
    out = StringIO()
    call_command("rebuild_facts", "--fix", stdout=out)
    assert "(replaced)" in out.getvalue()
    assert rebuild.check().differences == []
    assert ValueFact.objects.get(document=document, layer="live").value == 12
