"""The national data generator at its tiny scale: what it writes is what the application
would (every entry read back through the editor's reader unchanged, every fact what the
rebuild command derives), the same seed gives the same data, another seed other data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from govplan.core.documents import keys
from govplan.core.facts import extract
from govplan.core.facts.extract import StoredEntry
from govplan.demo.national_data import content as gen
from govplan.demo.national_data import frameworks
from govplan.demo.national_data.bulk import COLUMNS, fact_rows
from govplan.demo.national_data.catalogue import load_extension
from govplan.demo.national_data.generate import generate, shipped_indicators
from govplan.demo.national_data.scales import SCALES
from govplan.documents.content import as_sent, read_entry
from govplan.documents.models import Document, Entry
from govplan.facts import store
from govplan.facts.models import BudgetFact, Layer, ResultFact, TargetFact, ValueFact
from govplan.frameworks.models import Indicator
from govplan.national import rebuild
from govplan.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

TINY = SCALES["tiny"]


class _Rollback(Exception):
    pass


def fingerprint() -> list[Any]:
    """The generated documents and entries as a user would compare them: unit, framework,
    state, and each entry's key and content."""
    documents = {
        d.pk: (d.org_unit.scheme, d.org_unit.code, d.framework.code, d.status)
        for d in Document.objects.filter(framework__code__startswith="GEN-").select_related(
            "org_unit", "framework"
        )
    }
    entries = Entry.objects.filter(document_id__in=list(documents)).values_list(
        "document_id", "key", "content"
    )
    return sorted(
        (*documents[d], key, json.dumps(content, sort_keys=True)) for d, key, content in entries
    )


def test_the_tiny_slice_is_what_the_application_would_have_written() -> None:
    """One generation (they are slow), four checks."""
    generate(TINY, 1)
    the_facts_are_those_the_rebuild_derives()
    the_fast_fact_rows_are_those_of_facts_store()
    every_entry_reads_back_unchanged_through_the_editors_reader()
    the_slice_spans_the_reorganisation_and_every_state()


def the_facts_are_those_the_rebuild_derives() -> None:
    ids = list(
        Document.objects.filter(framework__code__startswith="GEN-").values_list("pk", flat=True)
    )
    report = rebuild.check(ids)
    assert report.documents == len(ids) > 50
    assert report.facts > 10_000
    assert [str(d) for d in report.differences] == []


def the_fast_fact_rows_are_those_of_facts_store() -> None:
    """bulk.fact_rows gives, as tuples, the values facts.store.rows gives as instances."""
    ids = dict(Indicator.objects.values_list("code", "id"))
    compared = 0
    for document in Document.objects.filter(framework__code__startswith="GEN-").select_related(
        "org_unit", "framework_version"
    ):
        spec = document.framework_version.parsed()
        entries = [
            StoredEntry(k, c)
            for k, c in Entry.objects.filter(document=document).values_list("key", "content")
        ]
        facts = extract.document_facts(spec, entries)
        owner = store.Owner.of(document)
        slow = [
            (type(r), tuple(getattr(r, n) for n in COLUMNS[type(r)]))
            for r in store.rows(owner, Layer.APPROVED, 1, facts)
        ]
        assert fact_rows(owner, Layer.APPROVED, 1, facts, ids) == slow
        compared += len(slow)
    assert compared > 10_000


def every_entry_reads_back_unchanged_through_the_editors_reader() -> None:
    checked = 0
    for document in Document.objects.filter(framework__code__startswith="GEN-").select_related(
        "framework_version"
    ):
        spec = document.framework_version.parsed()
        for key, content in Entry.objects.filter(document=document).values_list("key", "content"):
            raw = as_sent(spec, key, content)
            assert read_entry(spec, key, raw, locale="en") == content, key
            checked += 1
    assert checked > 5_000


def the_slice_spans_the_reorganisation_and_every_state() -> None:
    generated = Document.objects.filter(framework__code__startswith="GEN-")
    provinces = {
        (d.org_unit.name, d.period_start)
        for d in generated.filter(org_unit__kind="province", kind="report")
    }
    # Bắc Giang and Bắc Ninh report until 2024, the merged Bắc Ninh (and Hà Nội) in 2025.
    assert ("Tỉnh Bắc Giang", 2024) in provinces
    assert ("Tỉnh Bắc Ninh", 2024) in provinces
    assert ("Tỉnh Bắc Giang", 2025) not in provinces
    new_bac_ninh = OrgUnit.objects.get(scheme="gso-province", code="24", valid_to=None)
    assert (
        generated.filter(org_unit=new_bac_ninh, period_start=2025).exists()
        or generated.filter(org_unit=new_bac_ninh, period_start=2026).exists()
    )
    assert generated.filter(org_unit__kind="commune").count() > 10
    states = dict(generated.values_list("status").annotate(n=Count("pk")))
    assert states.get("approved", 0) > 20 and states.get("draft", 0) > 0
    # Before 2022 the service levels 1-4, after toàn trình / một phần (maps_from joins them).
    levels = set(
        ValueFact.objects.filter(
            indicator_code__in=frameworks.OLD_SERIES[:1] + frameworks.NEW_SERIES[:1],
            layer=Layer.LIVE,
        ).values_list("period_start", "indicator_code", "option_1")
    )
    assert (2021, "DVC.TRUC_TUYEN_2011", "M4") in levels
    assert (2023, "DVC.TRUC_TUYEN", "TOAN_TRINH") in levels
    assert not any(y >= 2022 and c == "DVC.TRUC_TUYEN_2011" for y, c, _o in levels)
    # Plans carry projects with phasing and targets; reports the results against them.
    assert BudgetFact.objects.filter(collection="table:projects", year=2027).exists()
    assert TargetFact.objects.filter(indicator_code="GEN.I004").exists()
    result = ResultFact.objects.filter(layer=Layer.LIVE).first()
    assert result is not None and result.source_document is not None
    assert result.source_document.kind == "plan"
    # Some values are marked "no data": counted as missing, never 0.
    assert ValueFact.objects.filter(no_data=True, value=None).exists()


def test_the_same_seed_gives_the_same_data() -> None:
    try:
        with transaction.atomic():
            generate(TINY, 1)
            first = fingerprint()
            raise _Rollback
    except _Rollback:
        pass
    assert not Document.objects.filter(framework__code__startswith="GEN-").exists()
    generate(TINY, 1)
    assert fingerprint() == first
    # Running it again adds nothing.
    again = generate(TINY, 1)
    assert again.documents == 0 and again.skipped > 50
    assert fingerprint() == first


def test_another_seed_gives_other_values() -> None:
    load_extension()
    spec = frameworks.publish(frameworks.report_file(2023, shipped_indicators(), local=False))
    unit = gen.Unit("gso-province:01:", "province", "Thành phố Hà Nội")
    code = spec.framework.code
    one = gen.value_entries(spec.parsed(), 1, code, unit, 2023)
    same = gen.value_entries(spec.parsed(), 1, code, unit, 2023)
    other = gen.value_entries(spec.parsed(), 2, code, unit, 2023)
    assert one == same
    assert [e.content for e in one] != [e.content for e in other]
    assert {e.kind for e in one} == {keys.VALUE}
