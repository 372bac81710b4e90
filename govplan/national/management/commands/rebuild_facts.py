"""Recompute the typed facts from the entries and revisions and report any difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.national import rebuild


class Command(BaseCommand):
    help = (
        "Compare the stored facts with those the entries and revisions give; "
        "--fix replaces the facts of every document that differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="replace what differs")
        parser.add_argument("--document", type=int, action="append", help="only this document")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rebuild.check(options["document"], fix=options["fix"])
        for difference in report.differences[:200]:
            self.stdout.write(str(difference))
        self.stdout.write(
            f"{report.documents} documents, {report.facts} facts, "
            f"{len(report.differences)} differences"
            + (" (replaced)" if options["fix"] and report.differences else "")
        )
        if report.differences and not options["fix"]:
            raise CommandError("the stored facts differ from the entries")
