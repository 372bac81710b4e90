"""Telling people: a notification in the application for each, and an e-mail sent by the
background job engine once the transaction that caused it has committed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from govplan.workflow.models import Notification


def notify(
    users: Iterable[Any], document: Any, text: str, *, exclude: Any = None, url: str | None = None
) -> list[Notification]:
    """``url``: where the notification leads, when not the document's editor page (an
    agency asked for an opinion reaches only its request, never the document)."""
    seen: set[int] = set()
    created = []
    if url is None:
        url = reverse("document_edit", args=[document.pk]) if document is not None else ""
    for user in users:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        created.append(Notification(user=user, document=document, text=text[:500], url=url))
    ids = [n.pk for n in Notification.objects.bulk_create(created)]
    if ids:
        from govplan.workflow.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return created


def notify_once(log: Callable[[], object], users: Iterable[Any], text: str, url: str) -> int:
    """A reminder sent at most once: ``log`` writes its row (unique), in the transaction of
    the notifications; 1, or 0 when another run or process wrote that row first."""
    try:
        with transaction.atomic():
            log()
            notify(users, None, text, url=url)
    except IntegrityError:
        return 0
    return 1
