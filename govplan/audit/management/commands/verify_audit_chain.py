"""Verify the audit chain (run it daily: cron or a systemd timer, or --queue for the job
engine); report the first broken link. Exit status 1 when the chain is broken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.audit.chain import verify_chain
from govplan.audit.origin import Origin, origin


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain entry by entry and report the first broken link "
        "(and, with --sink, compare the external copy with the database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sink",
            help="the external copy (JSON lines) to verify with the database "
            "(default: AUDIT_SINK_FILE when set)",
        )
        parser.add_argument(
            "--no-sink", action="store_true", help="verify the database's chain only"
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the verification on the job engine instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sink_name = options.get("sink") or getattr(settings, "AUDIT_SINK_FILE", "")
        sink = None if options["no_sink"] or not sink_name else Path(sink_name)
        if options["queue"]:
            from govplan.audit.tasks import verify_audit_chain

            result = verify_audit_chain.enqueue(str(sink) if sink else "")
            self.stdout.write(f"Verification queued (task {result.id}, {result.status}).")
            return
        with origin(Origin(channel="command:verify_audit_chain")):
            outcome, verification = verify_chain(sink)
        assert outcome.database is not None
        where = f" and {sink}" if sink else ""
        if outcome.ok:
            self.stdout.write(
                f"Audit chain intact: {outcome.database.entries} entries{where}, "
                f"last entry {outcome.database.head_seq}."
            )
            return
        self.stdout.write(
            f"Audit chain BROKEN: {outcome.breaks} broken link(s) in "
            f"{outcome.database.entries} entries{where}."
        )
        breaks = [
            *(outcome.database.problems),
            *outcome.sink_breaks,
            *(outcome.sink.problems if outcome.sink else []),
        ]
        for found in breaks:
            entry = f"entry id {found.entry_id}, " if found.entry_id is not None else ""
            self.stdout.write(f"  {found.problem}: {entry}{found.detail}")
        raise CommandError(
            f"first broken link: {verification.problem} at entry id "
            f"{verification.break_entry_id} (sequence {verification.break_seq}): "
            f"{verification.detail}",
            returncode=1,
        )
