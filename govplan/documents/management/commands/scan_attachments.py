"""Check stored evidence files again with today's checks (active content, clamd)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from govplan.documents.models import Attachment
from govplan.documents.uploads import UploadRefused, check_evidence


class Command(BaseCommand):
    help = (
        "Check every stored evidence file as an upload is checked now (type, active content, "
        "and the virus scan where CLAMD_SOCKET is set) and list those that would be refused. "
        "Nothing is changed; the exit status is 1 when any is listed (for a daily cron job), "
        "2 when a file is missing from storage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--include-removed", action="store_true", help="check removed files as well"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        attachments = Attachment.objects.select_related("document__org_unit").order_by("pk")
        if not options["include_removed"]:
            attachments = attachments.filter(removed=False)
        checked = refused = missing = 0
        with translation.override("en"):
            for attachment in attachments.iterator(chunk_size=200):
                try:
                    with attachment.file.open("rb") as handle:
                        data = handle.read()
                except OSError:
                    missing += 1
                    self.stdout.write(f"{_label(attachment)}: missing from storage")
                    continue
                checked += 1
                try:
                    check_evidence(data, attachment.original_name)
                except UploadRefused as exc:
                    refused += 1
                    self.stdout.write(f"{_label(attachment)}: {exc.message}")
        self.stdout.write(f"{checked} file(s) checked, {refused} would be refused now.")
        if missing:
            raise CommandError(f"{missing} file(s) missing from storage.", returncode=2)
        if refused:
            raise CommandError(f"{refused} stored file(s) would be refused.", returncode=1)


def _label(attachment: Attachment) -> str:
    document = attachment.document
    return (
        f"attachment {attachment.pk} ({attachment.original_name!r}, document {document.pk}, "
        f"unit {document.org_unit.code})"
    )
