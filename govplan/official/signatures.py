"""Digital signatures around GovPlan: the trusted roots (and revocation lists) this
installation accepts, how revocation is checked (SIGNATURE_REVOCATION), and the signing
library's messages in the user's language."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govplan.core.adapters import signing

# The signing library's messages, repeated literally so that makemessages finds them.
MESSAGES = {
    signing.WRONG_PASSPHRASE: gettext_noop(
        "The key file could not be opened: wrong passphrase or not a PKCS#12 file."
    ),
    signing.INCOMPLETE_KEY_FILE: gettext_noop(
        "The key file does not contain a private key together with its matching certificate."
    ),
    signing.UNSUPPORTED_KEY: gettext_noop(
        "The key in the key file is of a kind that cannot be used for signing."
    ),
    signing.CERT_EXPIRED: gettext_noop("The signing certificate has expired."),
    signing.CERT_NOT_YET_VALID: gettext_noop("The signing certificate is not valid yet."),
    signing.PDF_UNREADABLE: gettext_noop("The PDF file could not be read."),
    signing.PDF_ENCRYPTED: gettext_noop("The PDF file is password-protected and cannot be signed."),
    signing.SIGNING_FAILED: gettext_noop("The PDF file could not be signed."),
    signing.NOT_SIGNED: gettext_noop("The file is not signed."),
    signing.UNREADABLE: gettext_noop(
        "The file could not be read as a PDF, or its signatures could not be read."
    ),
    signing.UNSUPPORTED_SIGNATURE: gettext_noop(
        "The file contains a signature in a format that cannot be checked."
    ),
    signing.ALTERED: gettext_noop("The file has been altered since it was signed."),
    signing.NOT_WHOLE_FILE: gettext_noop(
        "The signature does not cover the whole file: content was added after signing."
    ),
    signing.UNTRUSTED: gettext_noop(
        "The signing certificate was not issued by a trusted authority "
        "or was not valid at the signing time."
    ),
    signing.CERT_NOT_VALID: gettext_noop(
        "The signing certificate is not valid now (expired or not yet valid), and no trusted "
        "timestamp proves that the signature was made while it was."
    ),
    signing.FUTURE_SIGNING_TIME: gettext_noop("The signing time is in the future."),
    signing.OUTSIDE_VALIDITY: gettext_noop(
        "The signing time is outside the validity of the signing certificate."
    ),
    signing.REVOKED: gettext_noop("The signing certificate has been revoked."),
    signing.REVOCATION_UNAVAILABLE: gettext_noop(
        "Whether the signing certificate has been revoked could not be checked "
        "(its revocation list or OCSP responder could not be reached)."
    ),
    signing.NOT_A_CERTIFICATE: gettext_noop("The file is not a certificate (PEM or DER)."),
    signing.NOT_FOR_SIGNING: gettext_noop("The certificate may not be used to sign documents."),
}

CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
CRL_SUFFIXES = {".crl"}


def message(text: str) -> str:
    return _(MESSAGES.get(text, text))


def _files(suffixes: set[str], directory: Path | None) -> list[bytes]:
    folder = directory or Path(settings.TRUST_ROOTS_DIR)
    if not folder.is_dir():
        return []
    return [
        path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix.lower() in suffixes
    ]


def trust_roots(directory: Path | None = None) -> list[bytes]:
    """Every certificate file in the trust-roots directory (none if it does not exist)."""
    return _files(CERTIFICATE_SUFFIXES, directory)


def revocation_lists(directory: Path | None = None) -> list[bytes]:
    """The CRL files (.crl) in the trust-roots directory: for a server that cannot reach the
    authorities' addresses, the administrator puts their current lists there."""
    return _files(CRL_SUFFIXES, directory)


def verify(pdf: bytes) -> signing.Verification:
    """The signatures of ``pdf`` checked as this installation is configured: its trust roots,
    its revocation lists, and revocation looked up at the certificates' addresses unless
    SIGNATURE_REVOCATION is "off"."""
    # settings.py reads it with env.choice, so it is one of the three modes.
    mode = cast(signing.RevocationMode, settings.SIGNATURE_REVOCATION)
    return signing.verify_pdf(
        pdf,
        trust_roots=trust_roots(),
        crls=revocation_lists(),
        revocation=mode,
        allow_fetching=mode != "off",
        fetch_timeout=settings.SIGNATURE_REVOCATION_TIMEOUT,
    )


def verify_certificate(certificate: bytes) -> tuple[str, ...]:
    return signing.verify_certificate(certificate, trust_roots=trust_roots())


def problems_text(result: signing.Verification) -> str:
    return " ".join(message(p) for p in result.problems)


def summary(check: signing.SignatureCheck | signing.Verification) -> str:
    """ "Ký số bởi …, lúc …" for the attachment's description and the audit trail."""
    moment = check.signing_time
    when = timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "?"
    return _("Signed by %(signer)s at %(time)s") % {"signer": check.signer, "time": when}
