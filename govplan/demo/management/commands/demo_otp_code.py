"""The current two-factor code of a demo user (load_demo gives the users whose role requires
it an authenticator with a public demo secret). Refuses any other authenticator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govplan.accounts import second_factor
from govplan.accounts.models import User
from govplan.demo.management.commands.load_demo import DEMO_OTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user (e.g. quantri, thamdinh)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        device = second_factor.totp_device(user)
        if device is None:
            raise CommandError(f"{user.username} has no two-factor authentication: log in.")
        if device.key != DEMO_OTP_SECRET:
            raise CommandError(f"{user.username}'s authenticator is not the demo one.")
        self.stdout.write(second_factor.current_code(DEMO_OTP_SECRET))
