"""The legal-document catalogue maintained in the interface: an entry's status (in the
catalogue, proposed, retired, rejected, merged), what a merged proposal became, the reason
of a review, and when an entry was corrected by hand. Documents editors added before are
proposals now: none of them was ever checked by a central administrator."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def proposals(apps: Any, schema_editor: Any) -> None:
    legal = apps.get_model("frameworks", "LegalDocument")
    legal.objects.filter(from_catalogue=False).update(status="proposed")


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_published_is_immutable")]

    operations = [
        migrations.AddField(
            model_name="legaldocument",
            name="status",
            field=models.CharField(
                choices=[
                    ("catalogue", "In the catalogue"),
                    ("proposed", "Proposed by an editor"),
                    ("retired", "Retired"),
                    ("rejected", "Proposal rejected"),
                    ("merged", "Merged into another entry"),
                ],
                default="catalogue",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="legaldocument",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged",
                to="frameworks.legaldocument",
            ),
        ),
        migrations.AddField(
            model_name="legaldocument",
            name="review_note",
            field=models.TextField(blank=True, default="", verbose_name="reason"),
        ),
        migrations.AddField(
            model_name="legaldocument",
            name="corrected_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(proposals, migrations.RunPython.noop),
    ]
