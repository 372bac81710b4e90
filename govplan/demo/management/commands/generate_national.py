"""Generate the national data set: ``manage.py generate_national --seed 1 --scale tiny``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govplan.audit.origin import Origin, origin
from govplan.demo.national_data.generate import generate
from govplan.demo.national_data.scales import SCALES


class Command(BaseCommand):
    help = (
        "Generate the national-scale data set (structure before and after 2025, 15 annual "
        "cycles, five-year plans): tiny (the demo's slice), small, or full (~20 million "
        "values). Adds only the documents that are missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument(
            "--drop-indexes",
            action="store_true",
            help="PostgreSQL: drop the big tables' secondary indexes during the load and "
            "build them again after (much faster for the full scale)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seed"] < 0:
            raise CommandError("The seed is a whole number, 0 or more.")
        scale = SCALES[options["scale"]]
        with origin(Origin(channel="command:generate_national")):
            summary = generate(
                scale,
                options["seed"],
                say=lambda line: self.stdout.write(line),
                drop_indexes=options["drop_indexes"],
            )
        self.stdout.write(self.style.SUCCESS(summary.line()))
