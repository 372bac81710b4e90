"""Print this node's fingerprint: compare it across every application server and worker."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govplan.ops.fingerprint import fingerprint


class Command(BaseCommand):
    help = (
        "Print a digest of this node's security-relevant settings and trust roots (secrets only "
        "as digests). Every node of one installation must print the same; --details lists "
        "each item so that `diff` shows which one differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--details", action="store_true", help="one line per item")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        found = fingerprint()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "fingerprint": found.digest,
                        "settings": found.settings_digest,
                        "trust_roots": found.trust_roots_digest,
                        "trust_root_files": len(found.trust_roots),
                        "version": found.version,
                    }
                )
            )
            return
        self.stdout.write(f"fingerprint {found.digest}")
        self.stdout.write(f"settings    {found.settings_digest}")
        self.stdout.write(
            f"trust roots {found.trust_roots_digest} ({len(found.trust_roots)} file(s))"
        )
        if options["details"]:
            for line in found.lines():
                self.stdout.write(line)
