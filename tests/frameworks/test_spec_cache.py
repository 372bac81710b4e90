"""Parsed framework specifications: shared for published versions, never stale for drafts."""

from __future__ import annotations

import pytest

from govplan.frameworks.actions import do_update_draft
from govplan.frameworks.models import FrameworkVersion, clear_spec_cache, version_heavy_fields
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_published_version_is_parsed_once_per_process(published_2018: FrameworkVersion) -> None:
    clear_spec_cache()
    first = FrameworkVersion.objects.get(pk=published_2018.pk).parsed()
    again = FrameworkVersion.objects.get(pk=published_2018.pk).parsed()
    assert again is first
    # Loaded without its large columns, it still has its spec, without reading the row again.
    light = FrameworkVersion.objects.defer(*version_heavy_fields()).get(pk=published_2018.pk)
    assert light.parsed() is first
    assert light.get_deferred_fields() == {"spec", "source_text"}


def test_an_edited_draft_is_seen_at_once(cast: Cast, draft: FrameworkVersion) -> None:
    before = FrameworkVersion.objects.get(pk=draft.pk).parsed()
    text = draft.source_text.replace(f"title: {before.title}", "title: Kế hoạch đã sửa", 1)
    assert text != draft.source_text
    do_update_draft(draft, text, actor=cast.central_admin)
    after = FrameworkVersion.objects.get(pk=draft.pk).parsed()
    assert after.title == "Kế hoạch đã sửa"
    assert after is not before


def test_a_version_published_after_being_read_as_a_draft_is_read_afresh(
    cast: Cast, draft: FrameworkVersion
) -> None:
    """A draft's parse is never shared: once published, the version is parsed afresh into the
    process-wide cache (keyed by id and publication time)."""
    clear_spec_cache()
    as_draft = FrameworkVersion.objects.get(pk=draft.pk).parsed()
    FrameworkVersion.objects.filter(pk=draft.pk).update(status="published")
    published = FrameworkVersion.objects.get(pk=draft.pk)
    assert published.parsed() is not as_draft
    assert published.parsed() == as_draft
