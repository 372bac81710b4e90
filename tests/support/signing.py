"""Signing as other software does it, for the tests: at a chosen time (in the future, or
back-dated), with a timestamp from a timestamp authority, or with an extra change put into the
signing revision; and a revocation list served over HTTP from this process."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import threading
from collections.abc import Iterator
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import pdf_signer
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from govplan.core.adapters.signing import off_running_loop
from govplan.demo import pki


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(pki.der(cert))


def timestamper(key: pki.PrivateKey, cert: x509.Certificate, at: dt.datetime) -> Any:
    """An RFC 3161 timestamp authority answering with the time ``at``."""
    signer = signers.SimpleSigner.load_pkcs12_data(
        pki.pkcs12(key, cert, None, None), other_certs=()
    )
    return DummyTimeStamper(tsa_cert=_asn1(cert), tsa_key=signer.signing_key, fixed_dt=at)


@contextlib.contextmanager
def _clock(at: dt.datetime | None) -> Iterator[None]:
    """pyHanko writes the signing time (/M) from its own clock; set it to ``at``."""
    if at is None:
        yield
        return

    class Fixed(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return at.astimezone(tz) if tz is not None else at.replace(tzinfo=None)

    original = pdf_signer.datetime
    pdf_signer.datetime = Fixed  # type: ignore[misc]
    try:
        yield
    finally:
        pdf_signer.datetime = original  # type: ignore[misc]


def sign(
    pdf: bytes,
    key: pki.PrivateKey,
    cert: x509.Certificate,
    ca: x509.Certificate,
    *,
    at: dt.datetime | None = None,
    tsa: Any = None,
    visible: bool = False,
    change_page: bool = False,
) -> bytes:
    """``pdf`` signed (PAdES, as an incremental update) with ``key``: claiming the time
    ``at`` (default: now), with a signature timestamp from ``tsa``, with a visible signature
    box, or with the first page's text changed in the signing revision (``change_page``)."""
    signer = signers.SimpleSigner.load_pkcs12_data(pki.pkcs12(key, cert, ca, None), other_certs=())
    spec = fields.SigFieldSpec("Signature1", box=(400, 60, 560, 120)) if visible else None
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if change_page:
        page = writer.root["/Pages"]["/Kids"][0]
        forged = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (Forged) Tj ET")
        page["/Contents"] = writer.add_object(forged)
        writer.update_container(page)

    def run() -> bytes:
        with _clock(at):
            signed = signers.PdfSigner(
                meta, signer=signer, timestamper=tsa, new_field_spec=spec
            ).sign_pdf(writer)
        return bytes(signed.getvalue())

    return off_running_loop(run)()


class Served:
    """What the test server answers with (settable after the address is known: a
    certificate names its CRL's address, and the CRL names the certificate)."""

    def __init__(self) -> None:
        self.url = ""
        self.content = b""
        self.requests = 0


@contextlib.contextmanager
def serving() -> Iterator[Served]:
    """An HTTP server on 127.0.0.1 answering every GET with ``served.content``."""
    served = Served()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(len(served.content)))
            self.end_headers()
            self.wfile.write(served.content)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}/ca.crl"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def unreachable_url() -> str:
    """An address where nothing answers (a port just closed): fetching fails at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/ca.crl"
