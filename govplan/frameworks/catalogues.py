"""The indicator and legal-document catalogues in the database, and their updates.

The catalogues ship as files (data/indicators, data/legal) and are loaded idempotently; a
central administrator can upload a newer catalogue file, which may add indicators and
reword existing ones but never change what an existing code means (its type, its
disaggregation, its ratio parts): a new meaning needs a new code with ``maps_from``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core.frameworks.catalogue import (
    Catalogue,
    Dimension,
    Option,
    parse_catalogue,
)
from govplan.core.frameworks.files import CATALOGUE_PATH, LEGAL_PATH
from govplan.core.frameworks.legal import LegalCatalogue, LegalDocument, parse_legal
from govplan.core.frameworks.problems import Problem, SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.core.i18n import gettext_noop
from govplan.frameworks import models as m

MEANING_FIELDS = ("type", "disaggregation", "numerator", "denominator", "choices")


def db_catalogue() -> Catalogue:
    return Catalogue.from_dict(
        {
            "dimensions": {d.code: d.spec for d in m.Dimension.objects.all()},
            "indicators": {i.code: i.spec for i in m.Indicator.objects.all()},
        }
    )


def db_legal() -> LegalCatalogue:
    return LegalCatalogue(
        documents={
            d.code: LegalDocument(
                code=d.code,
                type=d.doc_type,
                number=d.number,
                date=d.date,
                issuer=d.issuer,
                title=d.title,
            )
            for d in m.LegalDocument.objects.all()
        }
    )


@dataclass
class CatalogueReport:
    created: int = 0
    updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _dimension_spec(dimension: Dimension) -> dict[str, Any]:
    return {
        "code": dimension.code,
        "title": dimension.title,
        "title_en": dimension.title_en,
        "options": [
            {"code": o.code, "title": o.title, "title_en": o.title_en} for o in dimension.options
        ],
    }


def apply_catalogue(catalogue: Catalogue, *, actor: User | None = None) -> CatalogueReport:
    """Merge a checked catalogue into the database in one transaction."""
    report = CatalogueReport()
    with transaction.atomic():
        existing_dims = {d.code: d for d in m.Dimension.objects.select_for_update(no_key=True)}
        problems: list[Problem] = []
        for code, dimension in catalogue.dimensions.items():
            spec = _dimension_spec(dimension)
            current = existing_dims.get(code)
            if current is None:
                m.Dimension.objects.create(code=code, title=dimension.title, spec=spec)
                report.created += 1
            elif current.spec != spec:
                removed = {o["code"] for o in current.spec["options"]} - {
                    o.code for o in dimension.options
                }
                if removed:
                    problems.append(
                        Problem(
                            f"dimensions.{code}.options",
                            gettext_noop(
                                "options %(options)s of %(code)s are in use and cannot be removed"
                            ),
                            {"options": ", ".join(sorted(removed)), "code": code},
                        )
                    )
                    continue
                current.title, current.spec = dimension.title, spec
                current.save()
                report.updated += 1
        existing = {i.code: i for i in m.Indicator.objects.select_for_update(no_key=True)}
        for code, indicator in catalogue.indicators.items():
            # As stored: JSON has lists where the dataclass has tuples.
            spec = json.loads(json.dumps(indicator.to_dict()))
            current_indicator = existing.get(code)
            values = {
                "name": indicator.name,
                "name_en": indicator.name_en,
                "value_type": indicator.type,
                "unit": indicator.unit,
                "definition": indicator.definition,
                "spec": spec,
            }
            if current_indicator is None:
                created = m.Indicator.objects.create(code=code, **values)
                report.created += 1
                if not _is_first_load(existing):
                    record(Action.CREATE, actor=actor, obj=created, after=spec)
                continue
            if current_indicator.spec == spec:
                continue
            changed_meaning = [
                f for f in MEANING_FIELDS if current_indicator.spec.get(f) != spec.get(f)
            ]
            if changed_meaning:
                problems.append(
                    Problem(
                        f"indicators.{code}",
                        gettext_noop(
                            "%(code)s already exists with another %(fields)s: an indicator "
                            "never changes meaning; give the new one its own code and "
                            "maps_from: %(code)s"
                        ),
                        {"code": code, "fields": ", ".join(changed_meaning)},
                    )
                )
                continue
            before = current_indicator.spec
            for key, value in values.items():
                setattr(current_indicator, key, value)
            current_indicator.save()
            report.updated += 1
            record(Action.UPDATE, actor=actor, obj=current_indicator, before=before, after=spec)
        if problems:
            raise SpecError(problems)
    return report


def _is_first_load(existing: dict[str, m.Indicator]) -> bool:
    return not existing


def apply_legal(legal: LegalCatalogue, *, actor: User | None = None) -> CatalogueReport:
    report = CatalogueReport()
    with transaction.atomic():
        existing = {d.code: d for d in m.LegalDocument.objects.select_for_update(no_key=True)}
        for code, document in legal.documents.items():
            values = {
                "doc_type": document.type,
                "number": document.number,
                "date": document.date,
                "issuer": document.issuer,
                "title": document.title,
            }
            current = existing.get(code)
            if current is None:
                m.LegalDocument.objects.create(code=code, from_catalogue=True, **values)
                report.created += 1
            elif current.corrected_at is not None:
                continue  # corrected by a central administrator: the interface's word stands
            elif any(getattr(current, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                current.save()
                report.updated += 1
    return report


def load_shipped_catalogues(
    catalogue_path: Path = CATALOGUE_PATH, legal_path: Path = LEGAL_PATH
) -> tuple[CatalogueReport, CatalogueReport]:
    """Load both shipped catalogue files (checked first: a bad file changes nothing)."""
    catalogue = parse_catalogue(load_text(catalogue_path.read_bytes()))
    legal = parse_legal(load_text(legal_path.read_bytes()))
    with transaction.atomic():
        indicators = apply_catalogue(catalogue)
        documents = apply_legal(legal)
        if indicators.changed or documents.changed:
            record(
                Action.REFERENCE_LOAD,
                after={
                    "indicators": {"created": indicators.created, "updated": indicators.updated},
                    "legal": {"created": documents.created, "updated": documents.updated},
                },
                message=f"{catalogue_path}, {legal_path}",
            )
    return indicators, documents


__all__ = ["Option", "db_catalogue", "db_legal", "load_shipped_catalogues"]
