"""PAdES signatures on PDF files: sign with an agency's PKCS#12 key file, verify them.

Pure Python (pyHanko, pyhanko-certvalidator, cryptography), no Django.

Verification answers what an issuing agency needs to know about a signed copy: whether every
signature is intact and the last one covers the whole file; who signed (the certificate, for
the caller to compare with the certificates it registered); when (the time of a trusted
timestamp when the signature has one, else the signer's claim, which may not lie in the future
or outside the certificate's validity); whether the certificate chains to a trusted root, at
the timestamp's time or, without a trusted timestamp, now (a claimed time proves nothing, so
an expired certificate with a back-dated claim is refused); whether it was revoked (checked
against the CRLs given and, if allowed, fetched from the certificate's CRL or OCSP addresses;
what could not be checked is said); and which earlier revision of the file the signatures
were put on (its SHA-256 and whether the pages still print the same), so that the caller can
recognise the PDF it generated.

User-facing messages are the module-level constants below, in English; the Django side marks
them for translation and shows the translation.

Both functions run pyHanko, which is asynchronous underneath; called where a loop is already
running (an async view, a process that drives a browser), they run in a short-lived thread of
their own.

Long because: signing and verifying share one model of a signature (the key file's reading,
the trust roots, the revocation sources, the revision a signature covers and the messages for
each refusal), and verification is most of the module; split, the two halves would import
each other's private helpers. The seam, if it grows, is sign (with the key file) / verify.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import hashlib
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

# asn1crypto has no type information (no py.typed, no stubs): its names are Any to mypy. mypy
# reports that once per module, on the first import, hence the one ignore.
from asn1crypto import crl as asn1_crl  # type: ignore[import-untyped]
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
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
)
from pyhanko.sign.validation.pdf_embedded import (
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.errors import PathError as _PathError
from pyhanko_certvalidator.registry import CertificateRegistry

logger = logging.getLogger(__name__)

__all__ = [
    "ALTERED",
    "CERT_EXPIRED",
    "CERT_NOT_VALID",
    "CERT_NOT_YET_VALID",
    "FUTURE_SIGNING_TIME",
    "INCOMPLETE_KEY_FILE",
    "NOT_SIGNED",
    "NOT_WHOLE_FILE",
    "OUTSIDE_VALIDITY",
    "PDF_ENCRYPTED",
    "PDF_UNREADABLE",
    "REVOCATION_UNAVAILABLE",
    "REVOKED",
    "SIGNING_FAILED",
    "UNREADABLE",
    "UNSUPPORTED_KEY",
    "UNSUPPORTED_SIGNATURE",
    "UNTRUSTED",
    "WRONG_PASSPHRASE",
    "CertificateInfo",
    "Original",
    "SignatureCheck",
    "SigningError",
    "Verification",
    "certificate_info",
    "key_file_certificate",
    "sign_pdf",
    "verify_certificate",
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
NOT_A_CERTIFICATE = "The file is not a certificate (PEM or DER)."
NOT_FOR_SIGNING = "The certificate may not be used to sign documents."

# --- Problems reported by verify_pdf (and verify_certificate) ---------------------------------
NOT_SIGNED = "The file is not signed."
UNREADABLE = "The file could not be read as a PDF, or its signatures could not be read."
UNSUPPORTED_SIGNATURE = "The file contains a signature in a format that cannot be checked."
ALTERED = "The file has been altered since it was signed."
NOT_WHOLE_FILE = "The signature does not cover the whole file: content was added after signing."
UNTRUSTED = (
    "The signing certificate was not issued by a trusted authority "
    "or was not valid at the signing time."
)
CERT_NOT_VALID = (
    "The signing certificate is not valid now (expired or not yet valid), and no trusted "
    "timestamp proves that the signature was made while it was."
)
FUTURE_SIGNING_TIME = "The signing time is in the future."
OUTSIDE_VALIDITY = "The signing time is outside the validity of the signing certificate."
REVOKED = "The signing certificate has been revoked."
REVOCATION_UNAVAILABLE = (
    "Whether the signing certificate has been revoked could not be checked "
    "(its revocation list or OCSP responder could not be reached)."
)

# Revocation status of a signature's certificate.
REVOCATION_GOOD = "good"  # a CRL or OCSP response says it is not revoked
REVOCATION_UNCHECKED = "unchecked"  # it names a CRL or OCSP responder that could not be used
REVOCATION_NO_SOURCE = "no_source"  # it names no CRL or OCSP responder, and none was given
REVOCATION_OFF = "off"  # revocation checking is switched off
REVOCATION_REVOKED = "revoked"

RevocationMode = Literal["off", "soft", "hard"]

# A signing time this far ahead of the verifier's clock is not "in the future" yet: clocks
# drift. No more, so that a date typed wrong is caught.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)
# How many revisions before the first signature may be the document that was signed (signing
# tools may add a field or metadata in revisions of their own before the signature).
ORIGINAL_REVISIONS = 3

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
class SignatureCheck:
    """One signature of the file, checked."""

    signer: str  # "Common Name, Organisation"
    certificate: bytes  # the signer's certificate, DER
    claimed_time: dt.datetime | None  # what the signer's software says
    timestamp_time: dt.datetime | None  # the time of a trusted timestamp, if there is one
    timestamp: Literal["none", "trusted", "untrusted"]
    trusted: bool  # chains to a trust root, valid at the decisive time, not revoked
    revocation: str  # REVOCATION_*
    revocation_note: str  # why it could not be checked, in English (for the record)
    problems: tuple[str, ...]

    @property
    def signing_time(self) -> dt.datetime | None:
        """The time to show: the trusted timestamp's, else the claimed one."""
        return self.timestamp_time or self.claimed_time

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.certificate).hexdigest()


@dataclass(frozen=True, slots=True)
class Original:
    """A revision of the file before its first signature: the document that was signed."""

    sha256: str  # of the file's bytes up to the end of that revision
    pages_unchanged: bool  # the signed file's pages still print exactly that revision's


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a PDF's signatures. ``signer``, ``signing_time``, ``reason`` and
    ``location`` describe the last signature; ``intact``, ``trusted`` and ``problems`` cover
    all of them (``signatures``, in signing order)."""

    signed: bool
    intact: bool  # the signed bytes hash to what was signed and the signature value verifies
    covers_whole_file: bool  # nothing but DSS / document-timestamp updates after the last one
    trusted: bool  # every chain reaches a trust root, valid at the decisive time, not revoked
    signer: str  # "Common Name, Organisation"
    signing_time: dt.datetime | None  # a trusted timestamp's time, else the signer's claim
    problems: tuple[str, ...]
    reason: str = ""
    location: str = ""
    signatures: tuple[SignatureCheck, ...] = ()
    originals: tuple[Original, ...] = ()  # candidates for the document that was signed

    @property
    def acceptable(self) -> bool:
        return self.signed and not self.problems


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """A certificate as a person registers it: who, by whom, how long, may it sign."""

    der: bytes
    fingerprint: str  # SHA-256 of the DER, hex
    subject: str  # "Common Name, Organisation"
    issuer: str
    serial: str  # hexadecimal
    not_before: dt.datetime
    not_after: dt.datetime
    may_sign: bool  # key usage digital signature or non-repudiation (or no key usage at all)


# --- Certificates ---------------------------------------------------------------------------


def certificate_info(data: bytes) -> CertificateInfo:
    """The first certificate in ``data`` (PEM or DER); SigningError(NOT_A_CERTIFICATE)."""
    try:
        if b"-----BEGIN" in data:
            cert = x509.load_pem_x509_certificates(data)[0]
        else:
            cert = x509.load_der_x509_certificate(data)
    except (ValueError, IndexError) as exc:
        raise SigningError(NOT_A_CERTIFICATE) from exc
    return _info(cert)


def _info(cert: x509.Certificate) -> CertificateInfo:
    der = cert.public_bytes(serialization.Encoding.DER)
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        may_sign = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        may_sign = True
    return CertificateInfo(
        der=der,
        fingerprint=hashlib.sha256(der).hexdigest(),
        subject=_describe(cert.subject),
        issuer=_describe(cert.issuer),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        may_sign=may_sign,
    )


def key_file_certificate(key_and_certs: bytes, passphrase: bytes | None) -> CertificateInfo:
    """The signer's certificate in a PKCS#12 key file (SigningError as ``sign_pdf``)."""
    _key, cert, _others = _open_pkcs12(key_and_certs, passphrase)
    if cert is None:
        raise SigningError(INCOMPLETE_KEY_FILE)
    return _info(cert)


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
def verify_pdf(
    pdf: bytes,
    *,
    trust_roots: list[bytes],
    crls: Sequence[bytes] = (),
    revocation: RevocationMode = "soft",
    allow_fetching: bool = False,
    fetch_timeout: float = 10,
    now: dt.datetime | None = None,
) -> Verification:
    """Check the signatures of ``pdf``; never raises for a bad PDF (``UNREADABLE`` instead).

    ``trust_roots``: certificates (PEM or DER; a PEM item may hold several) that signer chains
    (and timestamp authorities' chains) must reach. An empty list trusts nothing (the
    operating system's store is never used). ``crls``: revocation lists (DER or PEM) to check
    certificates against. ``revocation``: "off" checks nothing; "soft" checks where a CRL or
    OCSP answer is to be had and says when it was not; "hard" refuses a certificate that names
    a CRL or OCSP responder that could not be used. ``allow_fetching``: download CRLs and OCSP
    answers from the addresses in the certificates (each request at most ``fetch_timeout``
    seconds). Raises ``ValueError`` if a trust root or CRL cannot be parsed: that is a
    configuration error.
    """
    roots = _parse_trust_roots(trust_roots)
    lists = _parse_crls(crls)
    settings = _Settings(
        roots=roots,
        crls=lists,
        revocation=revocation,
        allow_fetching=allow_fetching and revocation != "off",
        fetch_timeout=fetch_timeout,
        now=now or dt.datetime.now(dt.UTC),
    )
    try:
        return asyncio.run(_verify(pdf, settings))
    except Exception as exc:  # a malformed file can make pyHanko raise almost anything
        logger.info("PDF signature verification failed on an unreadable file: %r", exc)
        return _unsigned(UNREADABLE)


@off_running_loop
def verify_certificate(
    certificate: bytes,
    *,
    trust_roots: list[bytes],
    now: dt.datetime | None = None,
) -> tuple[str, ...]:
    """Problems of a certificate someone registers to sign with: () when it chains to one of
    ``trust_roots`` and is valid now (revocation is checked when a signature is)."""
    info = certificate_info(certificate)
    problems: list[str] = []
    if not info.may_sign:
        problems.append(NOT_FOR_SIGNING)
    settings = _Settings(
        roots=_parse_trust_roots(trust_roots),
        crls=[],
        revocation="off",
        allow_fetching=False,
        fetch_timeout=10,
        now=now or dt.datetime.now(dt.UTC),
    )
    cert = asn1_x509.Certificate.load(info.der)
    chain = asyncio.run(_check_chain(cert, [], settings, moment=None))
    problems.extend(chain.problems)
    return tuple(problems)


@dataclass(frozen=True)
class _Settings:
    roots: list[asn1_x509.Certificate]
    crls: list[Any]
    revocation: RevocationMode
    allow_fetching: bool
    fetch_timeout: float
    now: dt.datetime


async def _verify(pdf: bytes, settings: _Settings) -> Verification:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    embedded = list(reader.embedded_signatures)  # in signing order
    regular = [sig for sig in embedded if sig.sig_object_type == "/Sig"]
    doc_timestamps = [sig for sig in embedded if sig.sig_object_type == "/DocTimeStamp"]
    filled_fields = list(_fields.enumerate_sig_fields(reader, filled_status=True))
    unsupported = len(filled_fields) > len(embedded)  # pyHanko skips unknown /SubFilter values
    if not regular:
        return _unsigned(UNSUPPORTED_SIGNATURE if unsupported else NOT_SIGNED)

    intact = True
    for sig in doc_timestamps:
        ts_status = await async_validate_pdf_timestamp(
            sig, _plain_context(settings), skip_diff=True
        )
        intact = intact and bool(ts_status.intact and ts_status.valid)

    checks: list[SignatureCheck] = []
    last_status: Any = None
    for sig in regular:
        is_last = sig is regular[-1]
        status = await async_validate_pdf_signature(
            sig,
            signer_validation_context=_plain_context(settings),
            ts_validation_context=_plain_context(settings),
            key_usage_settings=_KEY_USAGE,
            skip_diff=not is_last,
        )
        intact = intact and bool(status.intact and status.valid)
        checks.append(await _check_signature(sig, status, settings))
        if is_last:
            last_status = status

    last = regular[-1]
    covers_whole_file = last_status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        # later revisions that only add validation data (DSS) or invisible document timestamps
        last_status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and last_status.modification_level == ModificationLevel.LTA_UPDATES
        and not reader.xrefs.hybrid_xrefs_present
    )
    trusted = all(c.trusted for c in checks)

    problems: list[str] = []
    if not intact or any(ALTERED in c.problems for c in checks):
        problems.append(ALTERED)
    if not covers_whole_file:
        problems.append(NOT_WHOLE_FILE)
    for check in checks:
        problems.extend(p for p in check.problems if p not in problems)
    if unsupported:
        problems.append(UNSUPPORTED_SIGNATURE)
    described = checks[-1]
    return Verification(
        signed=True,
        intact=intact and not unsupported,
        covers_whole_file=covers_whole_file,
        trusted=trusted,
        signer=described.signer,
        signing_time=described.signing_time,
        problems=tuple(problems),
        reason=_text(last.sig_object.get("/Reason")),
        location=_text(last.sig_object.get("/Location")),
        signatures=tuple(checks),
        originals=_originals(reader, pdf, regular[0].signed_revision),
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


def _plain_context(settings: _Settings) -> ValidationContext:
    """For the signature's integrity and its timestamp token: trust roots, nothing fetched,
    validated now. The signer's certificate is judged separately (``_check_chain``)."""
    return ValidationContext(
        trust_roots=settings.roots,
        allow_fetching=False,
        revocation_mode="soft-fail",
        crls=settings.crls,
        retroactive_revinfo=True,
    )


async def _check_signature(
    sig: EmbeddedPdfSignature, status: Any, settings: _Settings
) -> SignatureCheck:
    problems: list[str] = []
    cert = status.signing_cert
    claimed = _aware(status.signer_reported_dt) or _aware(sig.self_reported_timestamp)
    token = status.timestamp_validity
    timestamp: Literal["none", "trusted", "untrusted"] = "none"
    timestamp_time = None
    if token is not None:
        if not (token.intact and token.valid):
            problems.append(ALTERED)
            timestamp = "untrusted"
        elif token.trusted:
            timestamp, timestamp_time = "trusted", _aware(token.timestamp)
        else:
            timestamp = "untrusted"  # a token from an authority we do not trust proves nothing

    limit = settings.now + CLOCK_TOLERANCE
    if any(t is not None and t > limit for t in (claimed, timestamp_time)):
        problems.append(FUTURE_SIGNING_TIME)
    starts, ends = _aware(cert.not_valid_before), _aware(cert.not_valid_after)
    assert starts is not None and ends is not None
    if any(t is not None and not starts <= t <= ends for t in (claimed, timestamp_time)):
        problems.append(OUTSIDE_VALIDITY)

    # Without a trusted time, the certificate must be good now: a claimed time is the signer's
    # word, and a signature made today with an expired key can claim any day.
    chain = await _check_chain(
        cert, list(sig.other_embedded_certs), settings, moment=timestamp_time
    )
    problems.extend(p for p in chain.problems if p not in problems)
    if not _may_sign(cert):
        problems.append(UNTRUSTED)
    return SignatureCheck(
        signer=_describe_signer(cert.dump()),
        certificate=cert.dump(),
        claimed_time=claimed,
        timestamp_time=timestamp_time,
        timestamp=timestamp,
        trusted=chain.trusted and _may_sign(cert),
        revocation=chain.revocation,
        revocation_note=chain.note,
        problems=tuple(problems),
    )


def _may_sign(cert: asn1_x509.Certificate) -> bool:
    usage = cert.key_usage_value
    if usage is None:
        return True
    return bool({"digital_signature", "non_repudiation"} & set(usage.native))


@dataclass(frozen=True)
class _Chain:
    trusted: bool
    problems: tuple[str, ...]
    revocation: str
    note: str = ""


async def _check_chain(
    cert: asn1_x509.Certificate,
    others: list[asn1_x509.Certificate],
    settings: _Settings,
    *,
    moment: dt.datetime | None,
) -> _Chain:
    """Does ``cert`` chain to a trust root, valid at ``moment`` (None: now), and is it
    revoked? Revocation is judged as ``settings.revocation`` says."""
    mode = settings.revocation
    if mode == "off":
        return await _validate(cert, others, settings, moment, check_revocation=False)
    result = await _validate(cert, others, settings, moment, check_revocation=True)
    if result.revocation == REVOCATION_UNCHECKED and mode == "soft":
        # Could not be checked: judge the rest without it, and say so.
        rest = await _validate(cert, others, settings, moment, check_revocation=False)
        if rest.trusted:
            return _Chain(True, (), REVOCATION_UNCHECKED, result.note)
        return rest
    return result


async def _validate(
    cert: asn1_x509.Certificate,
    others: list[asn1_x509.Certificate],
    settings: _Settings,
    moment: dt.datetime | None,
    *,
    check_revocation: bool,
) -> _Chain:
    backend = None
    fetching = check_revocation and settings.allow_fetching
    if fetching:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        backend = AIOHttpFetcherBackend(per_request_timeout=settings.fetch_timeout)
    context = ValidationContext(
        trust_roots=settings.roots,
        other_certs=others,
        moment=moment or settings.now,
        allow_fetching=fetching,
        fetcher_backend=backend,
        crls=settings.crls if check_revocation else [],
        ocsps=[],
        # "hard-fail": a certificate that names a CRL or OCSP responder must be checked there;
        # one that names none (and is on no CRL given) passes.
        revocation_mode="hard-fail" if check_revocation else "none",
        # A list issued after the signing time that does not name the certificate shows it
        # was not revoked then either.
        retroactive_revinfo=True,
    )
    declared = bool(cert.crl_distribution_points or cert.ocsp_urls)
    try:
        await CertificateValidator(
            cert, intermediate_certs=others, validation_context=context
        ).async_validate_path()
    except RevokedError as exc:
        return _Chain(False, (REVOKED,), REVOCATION_REVOKED, str(exc.failure_msg))
    except InsufficientRevinfoError as exc:  # also stale revocation data
        return _Chain(False, (REVOCATION_UNAVAILABLE,), REVOCATION_UNCHECKED, str(exc.failure_msg))
    except (ExpiredError, NotYetValidError):
        problem = CERT_NOT_VALID if moment is None else UNTRUSTED
        return _Chain(False, (problem,), REVOCATION_UNCHECKED)
    except (_PathError, ValidationError) as exc:
        logger.info("Signer certificate not trusted: %r", exc)
        return _Chain(False, (UNTRUSTED,), REVOCATION_UNCHECKED)
    finally:
        if backend is not None:
            await backend.close()  # type: ignore[no-untyped-call]
    if not check_revocation:
        return _Chain(True, (), REVOCATION_OFF)
    return _Chain(True, (), REVOCATION_GOOD if declared else REVOCATION_NO_SOURCE)


# --- The document that was signed -----------------------------------------------------------


def _originals(reader: PdfFileReader, pdf: bytes, signed_revision: int) -> tuple[Original, ...]:
    """The revisions just before the first signature, each as the SHA-256 of the file up to
    its end (with and without the line break after ``%%EOF``), and whether the signed file's
    pages still print what that revision printed."""
    found: list[Original] = []
    for revision in range(max(0, signed_revision - ORIGINAL_REVISIONS), signed_revision):
        ends = _revision_ends(reader, pdf, revision)
        if not ends:
            continue
        unchanged = _pages_unchanged(reader, revision)
        found.extend(Original(hashlib.sha256(pdf[:end]).hexdigest(), unchanged) for end in ends)
    return tuple(found)


def _revision_ends(reader: PdfFileReader, pdf: bytes, revision: int) -> list[int]:
    info = reader.xrefs.get_xref_container_info(revision)
    eof = pdf.find(b"%%EOF", info.end_location)
    if eof < 0:
        return []
    end = eof + len(b"%%EOF")
    ends = [end]
    for newline in (b"\r\n", b"\n", b"\r"):
        if pdf.startswith(newline, end):
            ends.append(end + len(newline))
            break
    return ends


def _pages_unchanged(reader: PdfFileReader, revision: int) -> bool:
    """The pages of the file as it ends print what they printed at ``revision``: the same
    pages, each with the same content, resources and size, and no annotation added but
    signature fields (a visible signature's box). The signing revision may add anything a
    signature needs, never text on a page."""
    try:
        old_pages = _pages(reader.get_historical_resolver(revision).root["/Pages"])
        new_pages = _pages(reader.root["/Pages"])
        if len(old_pages) != len(new_pages):
            return False
        same = _Same()
        for old, new in zip(old_pages, new_pages, strict=True):
            if not same.dicts(old, new, skip={"/Annots", "/Parent"}):
                return False
            old_annots = _annotations(old)
            for ref, annotation in _annotations(new).items():
                if ref in old_annots:
                    if not same.values(old_annots[ref], annotation):
                        return False
                elif not _signature_widget(annotation):
                    return False
            if set(old_annots) - set(_annotations(new)):
                return False
        return True
    except Exception as exc:  # an odd structure: not provably the same
        logger.info("Could not compare the signed pages: %r", exc)
        return False


def _pages(node: Any, depth: int = 0) -> list[Any]:
    node = _deref(node)
    if depth > 50:
        raise ValueError("page tree too deep")
    if node.get("/Type") == "/Page" or "/Kids" not in node:
        return [node]
    pages: list[Any] = []
    for kid in node["/Kids"]:
        pages.extend(_pages(kid, depth + 1))
    return pages


def _annotations(page: Any) -> dict[Any, Any]:
    raw = page.raw_get("/Annots") if "/Annots" in page else None
    if raw is None:
        return {}
    items = _deref(raw)
    result: dict[Any, Any] = {}
    for index, item in enumerate(items):
        key = (item.idnum, item.generation) if isinstance(item, generic.IndirectObject) else index
        result[key] = _deref(item)
    return result


def _deref(value: Any) -> Any:
    if isinstance(value, generic.IndirectObject):
        return value.get_object()  # type: ignore[no-untyped-call]
    return value


def _signature_widget(annotation: Any) -> bool:
    if annotation.get("/Subtype") != "/Widget":
        return False
    field = annotation
    for _ in range(10):
        if field.get("/FT") == "/Sig":
            return True
        if "/Parent" not in field:
            return False
        field = field["/Parent"]
    return False


class _Same:
    """Deep comparison of PDF objects of two revisions: same structure, same values, streams
    with the same bytes. Pairs of objects already compared are not compared again."""

    def __init__(self) -> None:
        self.done: set[tuple[Any, Any]] = set()

    def values(self, old: Any, new: Any) -> bool:
        if isinstance(old, generic.IndirectObject) and isinstance(new, generic.IndirectObject):
            pair = ((old.idnum, old.generation), (new.idnum, new.generation))
            if pair in self.done:
                return True
            self.done.add(pair)
        old, new = _deref(old), _deref(new)
        if isinstance(old, generic.StreamObject) or isinstance(new, generic.StreamObject):
            return (
                isinstance(old, generic.StreamObject)
                and isinstance(new, generic.StreamObject)
                and old.encoded_data == new.encoded_data
                and self.dicts(old, new, skip=set())
            )
        if isinstance(old, generic.DictionaryObject):
            return isinstance(new, generic.DictionaryObject) and self.dicts(
                old, new, skip={"/Parent"}
            )
        if isinstance(old, generic.ArrayObject):
            return (
                isinstance(new, generic.ArrayObject)
                and len(old) == len(new)
                and all(self.values(old.raw_get(i), new.raw_get(i)) for i in range(len(old)))
            )
        return type(old) is type(new) and bool(old == new)

    def dicts(self, old: Any, new: Any, *, skip: set[str]) -> bool:
        keys = set(old.keys()) - skip
        if keys != set(new.keys()) - skip:
            return False
        return all(self.values(old.raw_get(k), new.raw_get(k)) for k in keys)


# --- Helpers --------------------------------------------------------------------------------


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


def _parse_crls(crls: Sequence[bytes]) -> list[Any]:
    lists: list[Any] = []
    for data in crls:
        try:
            if b"-----BEGIN" in data:
                parsed = [x509.load_pem_x509_crl(data)]
            else:
                parsed = [x509.load_der_x509_crl(data)]
        except ValueError as exc:
            raise ValueError("A revocation list is not a PEM or DER CRL.") from exc
        lists.extend(
            asn1_crl.CertificateList.load(c.public_bytes(serialization.Encoding.DER))
            for c in parsed
        )
    return lists


def _describe(name: x509.Name) -> str:
    """``Common Name, Organisation``; the whole name without a CN."""
    if not name.get_attributes_for_oid(NameOID.COMMON_NAME):
        return name.rfc4514_string()
    return ", ".join(
        str(attribute.value)
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
        for attribute in name.get_attributes_for_oid(oid)[:1]
    )


def _describe_signer(cert_der: bytes) -> str:
    """``Common Name, Organisation`` of the certificate subject; the whole subject without CN."""
    return _describe(x509.load_der_x509_certificate(cert_der).subject)


def _aware(moment: Any) -> dt.datetime | None:
    if not isinstance(moment, dt.datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _text(value: Any) -> str:
    return str(value) if value is not None else ""
