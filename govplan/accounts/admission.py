"""Bounded admission of logins: at most N password checks at once in a server process.

A password check costs some 0.35 s of CPU (PBKDF2 at Django's recommended iterations, which
stay). Two hundred people logging in at the start of the working day would otherwise take
every core for a minute and starve the editors already at work. A login beyond the bound
waits a moment for a free slot, then is answered 503 with Retry-After and a page saying to try
again in a few seconds, before anything is read: no authentication, no failed-login count
(django-axes), no audit entry, no session.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render


class LoginAdmission:
    def __init__(self, slots: int, wait_seconds: float) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._semaphore = threading.BoundedSemaphore(slots)

    @contextmanager
    def admitted(self) -> Iterator[bool]:
        """Whether a slot was free within the wait; it is held until the block ends."""
        acquired = self._semaphore.acquire(timeout=self.wait_seconds)
        try:
            yield acquired
        finally:
            if acquired:
                self._semaphore.release()


_admission: LoginAdmission | None = None
_admission_lock = threading.Lock()


def login_admission() -> LoginAdmission:
    """This process's admission, made from the settings on first use (or when they change,
    as tests do)."""
    global _admission
    slots = settings.LOGIN_ADMISSION_SLOTS
    wait = settings.LOGIN_ADMISSION_WAIT_MS / 1000
    with _admission_lock:
        if _admission is None or (_admission.slots, _admission.wait_seconds) != (slots, wait):
            _admission = LoginAdmission(slots, wait)
        return _admission


def admitted_login(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap the login view: its POST (the password check) runs only with a slot."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        with login_admission().admitted() as admitted:
            if admitted:
                return view(request, *args, **kwargs)
        response = render(request, "registration/login_busy.html", status=503)
        response["Retry-After"] = str(settings.LOGIN_RETRY_AFTER_SECONDS)
        return response

    return wrapper
