"""The deadline-day users (issue 15), for locust; started by bench/load/run.py.

Reads the accounts that run.py wrote (LOAD_ACCOUNTS: a JSON file) and appends every save the
server acknowledged to LOAD_ACKS (one JSON line each: document, key, revision, marker), which
run.py then looks for in the database. Each account is used by one simulated user at most, so
a document has one writer and its last acknowledged save must be what is stored.

The mix: editors 85 % (behaving as the editor page does), appraisers 12 %, downloads 3 %.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
import requests
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import protocol

ACCOUNTS: dict[str, list[dict[str, Any]]] = json.loads(
    Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8")
)
_acks = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8")  # noqa: SIM115 (closed at stop)
_next = {role: itertools.count() for role in ACCOUNTS}


@events.test_stop.add_listener
def _close(**_kwargs: Any) -> None:
    _acks.flush()


def _account(role: str) -> dict[str, Any]:
    accounts = ACCOUNTS[role]
    return accounts[next(_next[role]) % len(accounts)]


class GovPlanUser(HttpUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        self.account = _account(self.role)
        self.login()

    def get(self, name: str, path: str) -> Any:
        """GET as a browser: sent again once on a new connection when the kept-alive one was
        reset before any answer (protocol.RETRIED); any other failure is an error."""
        with self.client.get(path, name=name, catch_response=True) as response:
            again = (
                response.status_code == 0
                and isinstance(response.error, requests.exceptions.ConnectionError)
                and protocol.reset_before_answer(response.error)
            )
            if again:
                response.request_meta["name"] = protocol.RETRIED + name
                response.success()
        return self.client.get(path, name=name) if again else response

    def login(self) -> None:
        """The login page, then the password; answered 503 "too many logins at once", the
        person waits as Retry-After says (give or take half of it, so that a crowd does not
        come back at the same second) and tries again (protocol.LOGIN_WAIT); the time until
        they are in is reported as protocol.LOGIN_UNTIL_IN."""
        page = self.get("login page", protocol.path("login page"))
        started = time.perf_counter()
        for attempt in range(1, protocol.MAX_LOGIN_ATTEMPTS + 1):
            with self.client.post(
                protocol.path("login"),
                data={
                    "username": self.account["username"],
                    "password": protocol.PASSWORD,
                    "csrfmiddlewaretoken": protocol.csrf_token(page.text),
                },
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                busy = response.status_code == 503 and attempt < protocol.MAX_LOGIN_ATTEMPTS
                if busy:
                    response.request_meta["name"] = protocol.LOGIN_WAIT
                    response.success()
            if not busy:
                break
            wait = protocol.retry_after(response.headers.get("Retry-After"))
            gevent.sleep(random.uniform(wait * 0.5, wait * 1.5))
        if response.status_code == 302:
            events.request.fire(
                request_type="LOGIN",
                name=protocol.LOGIN_UNTIL_IN,
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=None,
                context={},
            )
        self.second_factor()

    def second_factor(self) -> None:
        """Appraisers and the administrator owe the second factor: home sends them to the
        code page, and the user types the code of their authenticator."""
        home = self.client.get(protocol.path("home"), name="home", allow_redirects=False)
        if protocol.owes_code(home.headers.get("Location", "")):
            page = self.get("code page", protocol.path("code page"))
            self.client.post(
                protocol.path("code"),
                data={
                    "token": protocol.totp(protocol.OTP_SECRET),
                    "csrfmiddlewaretoken": protocol.csrf_token(page.text),
                },
                name="code",
                allow_redirects=False,
            )

    def csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def post_json(self, name: str, pk: int, body: dict[str, Any]) -> Any:
        return self.client.post(
            protocol.path(name, pk),
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf()},
            name=name,
            catch_response=True,
        )


class Editor(GovPlanUser):
    """Opens the document, autosaves rows and texts, checks now and then, rarely submits."""

    weight = 85
    role = "editors"
    wait_time = between(2, 8)  # an autosave after a pause in typing

    def on_start(self) -> None:
        super().on_start()
        self.pk = int(self.account["document"])
        self.entries = protocol.PageEntries({}, {})
        self.submitted = False
        self.open_page()

    def open_page(self) -> None:
        response = self.get("editor page", protocol.path("editor page", self.pk))
        if response.status_code == 200:
            self.entries = protocol.page_entries(response.text)

    def save(self, name: str, entries: dict[str, int]) -> None:
        if self.submitted or not entries:
            return
        key = random.choice(list(entries))
        marker = f"load-{uuid.uuid4().hex[:12]}"
        if name == "save row":
            body = protocol.row_save(key, entries[key], marker)
        else:
            body = protocol.narrative_save(key, entries[key], marker)
        for attempt in (1, 2):
            if self._save_once(name, key, body, marker, entries, last=attempt == 2):
                return
            # As the editor's script does when a save gets no answer (editor.js: "offline"):
            # the entry stays dirty and is sent again five seconds later.
            gevent.sleep(5)

    def _save_once(
        self,
        name: str,
        key: str,
        body: dict[str, Any],
        marker: str,
        entries: dict[str, int],
        last: bool,
    ) -> bool:
        """One save; False when it got no answer at all and is to be sent again (reported as
        protocol.RETRIED, not as an error: nothing was acknowledged, nothing can be lost)."""
        with self.post_json(name, self.pk, body) as response:
            if (
                not last
                and response.status_code == 0
                and isinstance(response.error, requests.exceptions.ConnectionError)
            ):
                response.request_meta["name"] = protocol.RETRIED + name
                response.success()
                return False
            data = response.json() if response.status_code in (200, 409) else {}
            if response.status_code == 200 and data.get("status") in ("saved", "merged"):
                entries[key] = int(data["revision"])
                ack = {"d": self.pk, "k": key, "r": entries[key], "m": marker}
                _acks.write(json.dumps(ack) + "\n")
                response.success()
            else:
                response.failure(f"{response.status_code} {data.get('status', '')}".strip())
        return True

    @task(10)
    def save_row(self) -> None:
        self.save("save row", self.entries.rows)

    @task(4)
    def save_narrative(self) -> None:
        self.save("save narrative", self.entries.narratives)

    @task(2)
    def reopen(self) -> None:
        self.open_page()

    @task(2)
    def check(self) -> None:
        self.get("check", protocol.path("check", self.pk))

    @task(1)
    def home(self) -> None:
        self.get("home", protocol.path("home"))

    @task(1)
    def submit(self) -> None:
        # About one editor in ten submits during a five-minute run; a refusal (findings to
        # explain) sends the page to the check, as in the browser.
        if self.submitted or random.random() > 0.02:
            return
        response = self.client.post(
            protocol.path("submit", self.pk),
            data={"csrfmiddlewaretoken": self.csrf()},
            headers={"X-CSRFToken": self.csrf()},
            name="submit",
            allow_redirects=False,
        )
        if response.status_code == 302 and "/check/" not in response.headers.get("Location", ""):
            self.submitted = True  # no more saves: the document is no longer editable


class Appraiser(GovPlanUser):
    """The queue and the home page, a submitted document, its two revisions compared."""

    weight = 12
    role = "appraisers"
    wait_time = between(3, 10)

    def pick(self) -> int | None:
        documents = self.account["documents"]
        return int(random.choice(documents)) if documents else None

    @task(3)
    def queue(self) -> None:
        self.get("appraisal queue", protocol.path("appraisal queue"))

    @task(2)
    def home(self) -> None:
        self.get("home", protocol.path("home"))

    @task(2)
    def document(self) -> None:
        pk = self.pick()
        if pk is not None:
            self.get("document (appraiser)", protocol.path("document (appraiser)", pk))

    @task(2)
    def compare(self) -> None:
        pk = self.pick()
        if pk is not None:
            self.get("compare revisions", protocol.path("compare revisions", pk))


class Downloader(GovPlanUser):
    """An editor downloading the draft as DOCX or PDF."""

    weight = 3
    role = "downloaders"
    wait_time = between(10, 30)

    @task
    def download(self) -> None:
        name = random.choice(("DOCX", "PDF"))
        self.get(name, protocol.path(name, int(self.account["document"])))
