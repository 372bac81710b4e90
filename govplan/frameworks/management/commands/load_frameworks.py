"""Load the catalogues and the shipped frameworks; publish the frameworks (idempotent).

A framework already published with the same file is left as it is; a changed file
becomes a new version, because a published version never changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.audit.origin import Origin, origin
from govplan.core.frameworks.files import FRAMEWORKS_DIR
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text
from govplan.frameworks.actions import check_text, do_publish, do_upload_framework
from govplan.frameworks.catalogues import load_shipped_catalogues
from govplan.frameworks.models import FrameworkVersion, Status


def _followed_first(files: list[Path]) -> list[Path]:
    """The files in their order, except that a framework comes after the one it
    ``follows:`` when both are loaded (that one must exist first)."""
    codes: dict[Path, tuple[str, str]] = {}
    for path in files:
        try:
            data = load_text(path.read_text(encoding="utf-8"))
        except (OSError, SpecError, UnicodeDecodeError):
            data = None  # refused with its problems when loaded
        code = str(data.get("code", "")) if isinstance(data, dict) else ""
        follows = str(data.get("follows") or "") if isinstance(data, dict) else ""
        codes[path] = (code, follows)
    ordered: list[Path] = []
    placed: set[str] = set()
    waiting = list(files)
    in_batch = {code for code, _f in codes.values()}
    while waiting:
        ready = [
            p for p in waiting if codes[p][1] not in in_batch or codes[p][1] in placed
        ] or waiting[:1]  # a loop: loaded as it comes, and refused with its problem
        for path in ready:
            waiting.remove(path)
            ordered.append(path)
            placed.add(codes[path][0])
    return ordered


class Command(BaseCommand):
    help = "Load the indicator and legal catalogues and publish the shipped frameworks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="default: data/frameworks/*.yaml")
        parser.add_argument("--no-publish", action="store_true", help="leave them as drafts")

    def handle(self, *args: Any, **options: Any) -> None:
        files = options["files"] or sorted(FRAMEWORKS_DIR.glob("*.yaml"))
        with origin(Origin(channel="command:load_frameworks")):
            try:
                indicators, legal = load_shipped_catalogues()
            except SpecError as exc:
                raise CommandError(f"Catalogue refused, nothing changed:\n{exc}") from None
            self.stdout.write(
                f"Catalogues: {indicators.created} indicators added, {indicators.updated} "
                f"changed; {legal.created} legal documents added, {legal.updated} changed."
            )
            for path in _followed_first(files):
                self._load(path, publish=not options["no_publish"])

    def _load(self, path: Path, *, publish: bool) -> None:
        text = path.read_text(encoding="utf-8")
        try:
            spec, _ = check_text(text)
        except SpecError as exc:
            raise CommandError(f"{path} refused, nothing changed:\n{exc}") from None
        latest = (
            FrameworkVersion.objects.filter(framework__code=spec.code).order_by("-number").first()
        )
        if latest is not None and latest.source_text == text:
            version = latest
        elif latest is not None and latest.status == Status.DRAFT:
            self.stdout.write(self.style.WARNING(f"{spec.code}: a draft exists; left alone."))
            return
        else:
            version = do_upload_framework(text, actor=None)
            self.stdout.write(f"{spec.code}: version {version.number} loaded.")
        if publish and version.status == Status.DRAFT:
            do_publish(
                version,
                actor=None,
                deadline=spec.reporting.last_day,
                kinds=list(spec.applies_to.kinds),
                unit_refs=list(spec.applies_to.units),
            )
            self.stdout.write(f"{spec.code}: version {version.number} published.")
