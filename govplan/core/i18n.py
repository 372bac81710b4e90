"""Messages for translation, marked in the core without Django.

The core's messages are English templates marked with ``gettext_noop`` (the name is the
keyword ``makemessages`` looks for), so the Django layer can show them in Vietnamese while
the core stays free of Django.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message


__all__ = ["gettext_noop"]
