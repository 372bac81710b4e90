"""Loading the reference files: idempotent, audited, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govplan.audit.models import Action, AuditEvent
from govplan.core.orgunit_reference import ReferenceDataError
from govplan.orgunits.models import OrgUnit, Succession
from govplan.orgunits.reference import load_reference
from tests.conftest import REFERENCE_DIR, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "orgunits"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def state() -> tuple[int, int, int]:
    return OrgUnit.objects.count(), Succession.objects.count(), AuditEvent.objects.count()


def test_loading_the_same_files_again_changes_nothing() -> None:
    before = state()
    report = load_reference(REFERENCE_DIR)
    assert not report.changed
    assert state() == before


def test_a_changed_name_is_updated_and_audited(data_copy: Path) -> None:
    provinces = data_copy / "units" / "40-provinces.csv"
    replace_in(provinces, "Lai Chau Province", "Lai Chau Province (corrected)")
    report = load_reference(data_copy)
    assert report.units_updated == 1 and report.units_created == 0
    lai_chau = unit("gso-province", "12")
    assert lai_chau.name_en == "Lai Chau Province (corrected)"
    entry = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(lai_chau.pk)).get()
    assert entry.before == {"name_en": "Lai Chau Province"}
    assert entry.after == {"name_en": "Lai Chau Province (corrected)"}
    assert "40-provinces.csv" in entry.message
    summary = AuditEvent.objects.filter(action=Action.REFERENCE_LOAD).latest("id")
    assert summary.after["report"]["units_updated"] == 1


def test_a_bad_file_is_refused_and_nothing_changes(data_copy: Path) -> None:
    provinces = data_copy / "units" / "40-provinces.csv"
    replace_in(provinces, "Lai Chau Province", "Lai Chau Province (corrected)")
    communes = data_copy / "units" / "70-communes-2025.csv"
    lines = communes.read_text(encoding="utf-8").splitlines()
    # Point one commune of 2025 at a province code that does not exist.
    lines[5] = lines[5].replace(",gso-province,", ",gso-province,9", 1)
    communes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = state()
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(data_copy)
    (problem,) = caught.value.problems
    assert str(problem).startswith("units/70-communes-2025.csv:6: parent gso-province:9")
    assert "is not a known unit" in str(problem)
    assert state() == before
    assert unit("gso-province", "12").name_en == "Lai Chau Province"


def test_a_failure_while_writing_rolls_back_everything(data_copy: Path) -> None:
    """A unit moved under another parent passes the file check but is refused when applied
    (a unit never changes parent): the name change before it must not stay."""
    provinces = data_copy / "units" / "40-provinces.csv"
    replace_in(provinces, "Lai Chau Province", "Lai Chau Province (corrected)")
    districts = data_copy / "units" / "50-districts-legacy.csv"
    lines = districts.read_text(encoding="utf-8").splitlines()
    moved = lines[1].split(",")
    moved[8] = "02" if moved[8] != "02" else "04"
    lines[1] = ",".join(moved)
    districts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = state()
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(data_copy)
    assert "never changes parent" in str(caught.value)
    assert state() == before
    assert unit("gso-province", "12").name_en == "Lai Chau Province"
