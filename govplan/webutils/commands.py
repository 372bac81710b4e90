"""What management commands share: their options read strictly, refused with a message."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def day_option(value: str | None) -> str | None:
    """A ``--day YYYY-MM-DD`` option, checked: the text (a job's argument) or None."""
    if not value:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--day: “{value}” is not a date (YYYY-MM-DD)") from None
    return value
