"""PAdES signatures on PDF files: sign with an agency's PKCS#12 key file, verify them.

Pure Python (pyHanko, pyhanko-certvalidator, cryptography), no Django. Nothing is fetched over
the network: no timestamp server (signatures are PAdES B-B), no OCSP, CRL or AIA look-ups
(revocation is not checked; a signature is trusted when its certificate chains to one of the
given roots and every certificate was valid at the signing time).

User-facing messages are the module-level constants below, in English; the Django side marks
them for translation (``gettext_lazy(signing.WRONG_PASSPHRASE)`` etc.) and shows the translation.

Both functions run pyHanko's synchronous API, which starts its own event loop
(``asyncio.run``); called where a loop is already running (an async view, a process that
drives a browser), they run in a short-lived thread of their own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

# asn1crypto has no type information (no py.typed, no stubs): its names are Any to mypy. mypy
# reports that once per module, on the first import, hence the one ignore.
from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import (
    IncrementalPdfFileWriter,
)
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as _fields
from pyhanko.sign import signers as _signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as _PyHankoSigningError
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import CertificateRegistry

logger = logging.getLogger(__name__)

__all__ = [
    "ALTERED",
    "CERT_EXPIRED",
    "CERT_NOT_YET_VALID",
    "INCOMPLETE_KEY_FILE",
    "NOT_SIGNED",
    "NOT_WHOLE_FILE",
    "PDF_ENCRYPTED",
    "PDF_UNREADABLE",
    "SIGNING_FAILED",
    "UNREADABLE",
    "UNSUPPORTED_KEY",
    "UNSUPPORTED_SIGNATURE",
    "UNTRUSTED",
    "WRONG_PASSPHRASE",
    "SigningError",
    "Verification",
    "sign_pdf",
    "verify_pdf",
]

# --- Messages of SigningError ---------------------------------------------------------------
WRONG_PASSPHRASE = "The key file could not be opened: wrong passphrase or not a PKCS#12 file."
INCOMPLETE_KEY_FILE = (
    "The key file does not contain a private key together with its matching certificate."
)
UNSUPPORTED_KEY = "The key in the key file is of a kind that cannot be used for signing."
CERT_EXPIRED = "The signing certificate has expired."
CERT_NOT_YET_VALID = "The signing certificate is not valid yet."
PDF_UNREADABLE = "The PDF file could not be read."
PDF_ENCRYPTED = "The PDF file is password-protected and cannot be signed."
SIGNING_FAILED = "The PDF file could not be signed."

# --- Problems reported by verify_pdf --------------------------------------------------------
NOT_SIGNED = "The file is not signed."
UNREADABLE = "The file could not be read as a PDF, or its signatures could not be read."
UNSUPPORTED_SIGNATURE = "The file contains a signature in a format that cannot be checked."
ALTERED = "The file has been altered since it was signed."
NOT_WHOLE_FILE = "The signature does not cover the whole file: content was added after signing."
UNTRUSTED = (
    "The signing certificate was not issued by a trusted authority "
    "or was not valid at the signing time."
)

# Signer certificates must allow signing documents; Vietnamese CAs set both bits, some only one.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)


class SigningError(Exception):
    """Signing failed; ``message`` is one of this module's constants (English, user-facing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a PDF's signatures. With several signatures, ``covers_whole_file``,
    ``trusted``, ``signer``, ``signing_time``, ``reason`` and ``location`` describe the last
    one; ``intact`` requires every signature (and document timestamp) to be intact."""

    signed: bool
    intact: bool  # the signed bytes hash to what was signed and the signature value verifies
    covers_whole_file: bool  # nothing but DSS / document-timestamp updates after the last one
    trusted: bool  # the chain reaches a trust root, all valid at the signing time
    signer: str  # "Common Name, Organisation"
    signing_time: dt.datetime | None  # as claimed by the signer (no timestamp authority)
    problems: tuple[str, ...]
    reason: str = ""
    location: str = ""

    @property
    def acceptable(self) -> bool:
        return self.signed and self.intact and self.covers_whole_file and self.trusted


# --- Signing --------------------------------------------------------------------------------


_P = ParamSpec("_P")
_R = TypeVar("_R")


def off_running_loop(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """pyHanko's synchronous calls use asyncio.run, which refuses to start inside a running
    loop; a thread of its own has none."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return fn(*args, **kwargs)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(fn, *args, **kwargs).result()

    return wrapper


@off_running_loop
def sign_pdf(
    pdf: bytes,
    *,
    key_and_certs: bytes,
    passphrase: bytes | None,
    reason: str,
    location: str,
    signer_label: str = "",
) -> bytes:
    """Sign ``pdf`` (PAdES B-B, invisible signature field, SHA-256) with the key and certificate
    of the PKCS#12 file ``key_and_certs``; return the signed PDF.

    The signature is added as an incremental update and covers the whole resulting file.
    ``signer_label``, if given, is recorded as the signature's /Name (the certificate remains
    the authority on who signed). Raises :class:`SigningError`.
    """
    signer = _load_signer(key_and_certs, passphrase)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise SigningError(PDF_ENCRYPTED)
        field_name = _free_field_name(writer)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises many kinds on a malformed file
        logger.info("PDF to sign could not be read: %r", exc)
        raise SigningError(PDF_UNREADABLE) from exc

    metadata = _signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        name=signer_label or None,
        md_algorithm="sha256",
        subfilter=_fields.SigSeedSubFilter.PADES,
    )
    try:
        output = _signers.PdfSigner(metadata, signer=signer).sign_pdf(writer)
    except PdfError as exc:
        logger.info("PDF could not be read while signing: %r", exc)
        raise SigningError(PDF_UNREADABLE) from exc
    except _PyHankoSigningError as exc:
        logger.warning("pyHanko refused to sign: %r", exc)
        raise SigningError(SIGNING_FAILED) from exc
    except Exception as exc:  # an odd file can trip pyHanko anywhere; keep the trace for us
        logger.exception("Signing a PDF failed")
        raise SigningError(SIGNING_FAILED) from exc
    signed: bytes = output.getvalue()
    return signed


def _load_signer(key_and_certs: bytes, passphrase: bytes | None) -> _signers.SimpleSigner:
    """A pyHanko ``SimpleSigner`` for the PKCS#12 data, after checking the key matches the
    certificate and the certificate is valid now."""
    key, cert, others = _open_pkcs12(key_and_certs, passphrase)
    if key is None or cert is None:
        raise SigningError(INCOMPLETE_KEY_FILE)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise SigningError(INCOMPLETE_KEY_FILE)
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise SigningError(CERT_EXPIRED)
    if cert.not_valid_before_utc > now:
        raise SigningError(CERT_NOT_YET_VALID)
    # Built from what was loaded above rather than with SimpleSigner.load_pkcs12_data, which
    # would decrypt and parse the file a second time (~50 ms for an RSA key).
    # The CA certificates of the file go into the signature, for verifiers' path building.
    ca_certs = CertificateRegistry(cert_fetcher=None)  # None: never fetches
    for other in others:
        ca_certs.register(_to_asn1_cert(other))
    try:
        signer = _signers.SimpleSigner(
            signing_cert=_to_asn1_cert(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=ca_certs,
        )
        signer.get_signature_mechanism_for_digest("sha256")  # fails for a key it cannot use
    except Exception as exc:
        logger.warning("pyHanko cannot sign with the key file's key: %r", exc)
        raise SigningError(UNSUPPORTED_KEY) from exc
    return signer


def _open_pkcs12(
    key_and_certs: bytes, passphrase: bytes | None
) -> tuple[PrivateKeyTypes | None, x509.Certificate | None, list[x509.Certificate]]:
    """Key, certificate and other certificates of a PKCS#12 file. A file exported without
    protection opens whatever passphrase was typed, and "no
    passphrase" means either none or the empty one, which differ in PKCS#12."""
    attempts = [passphrase] + [p for p in (None, b"") if p != passphrase]
    for attempt in attempts:
        try:
            return pkcs12.load_key_and_certificates(key_and_certs, attempt)
        except (ValueError, TypeError):  # bad MAC or structure; passphrase given but unused
            continue
    raise SigningError(WRONG_PASSPHRASE)


def _to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _value, _ref in _fields.enumerate_sig_fields(writer)}
    number = 1
    while f"Signature{number}" in taken:
        number += 1
    return f"Signature{number}"


# --- Verification ---------------------------------------------------------------------------


@off_running_loop
def verify_pdf(pdf: bytes, *, trust_roots: list[bytes]) -> Verification:
    """Check the signatures of ``pdf``; never raises for a bad PDF (``UNREADABLE`` instead).

    ``trust_roots``: certificates (PEM or DER; a PEM item may hold several) that signer chains
    must reach. An empty list trusts nothing (the operating system's store is never used).
    Raises ``ValueError`` if a trust root cannot be parsed: that is a configuration error.
    """
    roots = _parse_trust_roots(trust_roots)
    try:
        return _verify(pdf, roots)
    except Exception as exc:  # a malformed file can make pyHanko raise almost anything
        logger.info("PDF signature verification failed on an unreadable file: %r", exc)
        return _unsigned(UNREADABLE)


def _verify(pdf: bytes, roots: list[asn1_x509.Certificate]) -> Verification:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    embedded = list(reader.embedded_signatures)  # in signing order
    regular = [sig for sig in embedded if sig.sig_object_type == "/Sig"]
    doc_timestamps = [sig for sig in embedded if sig.sig_object_type == "/DocTimeStamp"]
    filled_fields = list(_fields.enumerate_sig_fields(reader, filled_status=True))
    unsupported = len(filled_fields) > len(embedded)  # pyHanko skips unknown /SubFilter values
    if not regular:
        return _unsigned(UNSUPPORTED_SIGNATURE if unsupported else NOT_SIGNED)

    intact = True
    for sig in regular[:-1]:
        status = validate_pdf_signature(
            sig, _validation_context(roots, sig), key_usage_settings=_KEY_USAGE, skip_diff=True
        )
        intact = intact and bool(status.intact and status.valid)
    for sig in doc_timestamps:
        ts_status = validate_pdf_timestamp(sig, _validation_context(roots, sig), skip_diff=True)
        intact = intact and bool(ts_status.intact and ts_status.valid)

    last = regular[-1]
    status = validate_pdf_signature(
        last, _validation_context(roots, last), key_usage_settings=_KEY_USAGE
    )
    intact = intact and bool(status.intact and status.valid)
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        # later revisions that only add validation data (DSS) or invisible document timestamps
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level == ModificationLevel.LTA_UPDATES
        and not reader.xrefs.hybrid_xrefs_present
    )
    trusted = bool(
        status.valid and status.trust_problem_indic is None and status.validation_path is not None
    )

    problems: list[str] = []
    if not intact:
        problems.append(ALTERED)
    if not covers_whole_file:
        problems.append(NOT_WHOLE_FILE)
    if not trusted:
        problems.append(UNTRUSTED)
    if unsupported:
        problems.append(UNSUPPORTED_SIGNATURE)
    return Verification(
        signed=True,
        intact=intact and not unsupported,
        covers_whole_file=covers_whole_file,
        trusted=trusted,
        signer=_describe_signer(status.signing_cert.dump()),
        signing_time=_aware(status.signer_reported_dt) or _timestamp_time(status),
        problems=tuple(problems),
        reason=_text(last.sig_object.get("/Reason")),
        location=_text(last.sig_object.get("/Location")),
    )


def _unsigned(problem: str) -> Verification:
    return Verification(
        signed=False,
        intact=False,
        covers_whole_file=False,
        trusted=False,
        signer="",
        signing_time=None,
        problems=(problem,),
    )


def _validation_context(
    roots: list[asn1_x509.Certificate], sig: EmbeddedPdfSignature
) -> ValidationContext:
    """Validate at the time the signer claims (B-B has no trusted time): a certificate that
    expired since is still fine. No fetching; revocation soft-fails for want of data."""
    claimed = _aware(sig.self_reported_timestamp)
    return ValidationContext(
        trust_roots=roots,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=claimed,
    )


def _parse_trust_roots(trust_roots: list[bytes]) -> list[asn1_x509.Certificate]:
    """The trust roots as asn1crypto certificates (what pyhanko-certvalidator takes), parsed
    strictly by ``cryptography`` first so that a bad one fails here rather than later."""
    roots: list[asn1_x509.Certificate] = []
    for data in trust_roots:
        try:
            if b"-----BEGIN" in data:
                certs = x509.load_pem_x509_certificates(data)
            else:
                certs = [x509.load_der_x509_certificate(data)]
        except ValueError as exc:
            raise ValueError("A trust root is not a PEM or DER certificate.") from exc
        roots.extend(_to_asn1_cert(cert) for cert in certs)
    return roots


def _describe_signer(cert_der: bytes) -> str:
    """``Common Name, Organisation`` of the certificate subject; the whole subject without CN."""
    subject = x509.load_der_x509_certificate(cert_der).subject
    names = [
        str(attribute.value)
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
        for attribute in subject.get_attributes_for_oid(oid)[:1]
    ]
    if not subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        return subject.rfc4514_string()
    return ", ".join(names)


def _timestamp_time(status: Any) -> dt.datetime | None:
    token = status.timestamp_validity
    return _aware(token.timestamp) if token is not None else None


def _aware(moment: Any) -> dt.datetime | None:
    if not isinstance(moment, dt.datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _text(value: Any) -> str:
    return str(value) if value is not None else ""
