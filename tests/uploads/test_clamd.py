"""Issue 16, item 8: the optional virus scan through clamd's INSTREAM protocol, against a
fake clamd (a socket server speaking the protocol, answering EICAR as ClamAV does); an
unreachable or failing scanner refuses the upload unless told to fail open."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govplan.core.adapters import clamd
from govplan.documents.models import Attachment, Document
from govplan.documents.uploads import UploadRefused, check_evidence
from tests.conftest import Cast
from tests.support import hostile_files as hostile


class FakeClamd(socketserver.BaseRequestHandler):
    """clamd's INSTREAM: ``zINSTREAM\\0``, length-prefixed chunks, a zero length; one answer."""

    mode = "normal"  # "normal", "error", "silent"
    streams: list[bytes] = []

    def handle(self) -> None:
        connection = self.request
        command = b""
        while not command.endswith(b"\0"):
            received = connection.recv(1)
            if not received:
                return
            command += received
        assert command == b"zINSTREAM\0", command
        data = b""
        while True:
            size = struct.unpack("!L", _exactly(connection, 4))[0]
            if size == 0:
                break
            data += _exactly(connection, size)
        type(self).streams.append(data)
        if self.mode == "silent":
            threading.Event().wait(5)
            return
        if self.mode == "error":
            connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")
        elif hostile.EICAR in data:
            connection.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            connection.sendall(b"stream: OK\0")


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        received = connection.recv(size - len(data))
        if not received:
            raise ConnectionError("closed mid-chunk")
        data += received
    return data


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def fake_clamd(address: str, mode: str = "normal") -> Iterator[type[FakeClamd]]:
    handler = type("Handler", (FakeClamd,), {"mode": mode, "streams": []})
    server: socketserver.BaseServer
    if address.startswith("tcp://"):
        server = _TcpServer(("127.0.0.1", 0), handler)
    else:
        server = _UnixServer(address, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        handler.address = (  # type: ignore[attr-defined]
            f"tcp://127.0.0.1:{server.server_address[1]}"  # type: ignore[index]
            if address.startswith("tcp://")
            else address
        )
        yield handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def socket_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    # AF_UNIX paths are limited to ~107 bytes: a short folder of its own.
    return str(tmp_path_factory.mktemp("clamd") / "clamd.sock")


def pdf_with(payload: bytes) -> bytes:
    """A clean PDF (no active content) carrying ``payload`` in a comment after its end."""
    return hostile.clean_pdf() + b"%" + payload + b"\n"


def test_the_client_speaks_instream_and_reads_the_verdict(socket_path: str) -> None:
    big = b"x" * (3 * clamd.CHUNK + 17)  # several chunks
    with fake_clamd(socket_path) as server:
        assert clamd.instream(big, socket_path, timeout=5) == clamd.Verdict(clean=True)
        infected = clamd.instream(b"abc" + hostile.EICAR, socket_path, timeout=5)
        assert infected == clamd.Verdict(clean=False, signature="Eicar-Test-Signature")
        assert server.streams == [big, b"abc" + hostile.EICAR]


def test_tcp_addresses_work_too() -> None:
    with fake_clamd("tcp://") as server:
        verdict = clamd.instream(b"clean", server.address, timeout=5)  # type: ignore[attr-defined]
    assert verdict.clean


@pytest.mark.django_db
def test_an_infected_upload_is_refused_naming_the_signature(
    cast: Cast, document_a: Document, socket_path: str, settings: object, media_root: Path
) -> None:
    settings.CLAMD_SOCKET = socket_path  # type: ignore[attr-defined]
    client = Client()
    client.force_login(cast.editor_a)
    url = reverse("document_attach", args=[document_a.pk, "I"])
    with fake_clamd(socket_path) as server:
        response = client.post(
            url, {"file": SimpleUploadedFile("virus.pdf", pdf_with(hostile.EICAR))}, follow=True
        )
        page = response.content.decode()
        assert "message-error" in page and "Eicar-Test-Signature" in page
        assert not Attachment.objects.exists()
        assert [p for p in media_root.rglob("*") if p.is_file()] == []
        client.post(url, {"file": SimpleUploadedFile("sach.pdf", hostile.clean_pdf())})
        assert Attachment.objects.get().original_name == "sach.pdf"
        assert len(server.streams) == 2


@pytest.mark.parametrize("mode", ["missing", "error", "silent"])
def test_a_scanner_that_does_not_answer_refuses_the_upload(
    socket_path: str, settings: object, mode: str
) -> None:
    settings.CLAMD_SOCKET = socket_path  # type: ignore[attr-defined]
    settings.CLAMD_TIMEOUT_SECONDS = 1  # type: ignore[attr-defined]
    with contextlib.ExitStack() as stack:
        if mode != "missing":
            stack.enter_context(fake_clamd(socket_path, mode))
        with pytest.raises(UploadRefused) as refused:
            check_evidence(hostile.clean_pdf(), "a.pdf")
    assert "virus" in refused.value.message or "vi-rút" in refused.value.message


def test_fail_open_accepts_when_the_scanner_is_down(socket_path: str, settings: object) -> None:
    settings.CLAMD_SOCKET = socket_path  # type: ignore[attr-defined]
    settings.CLAMD_FAIL_OPEN = True  # type: ignore[attr-defined]
    assert check_evidence(hostile.clean_pdf(), "a.pdf").extension == "pdf"


def test_fail_open_still_refuses_a_virus(socket_path: str, settings: object) -> None:
    settings.CLAMD_SOCKET = socket_path  # type: ignore[attr-defined]
    settings.CLAMD_FAIL_OPEN = True  # type: ignore[attr-defined]
    with fake_clamd(socket_path), pytest.raises(UploadRefused):
        check_evidence(pdf_with(hostile.EICAR), "a.pdf")
