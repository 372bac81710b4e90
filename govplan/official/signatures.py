"""Digital signatures around GovPlan: the trusted roots this installation accepts, and the
signing library's messages in the user's language."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govplan.core import signing

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
}

CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


def message(text: str) -> str:
    return _(MESSAGES.get(text, text))


def trust_roots(directory: Path | None = None) -> list[bytes]:
    """Every certificate file in the trust-roots directory (none if it does not exist)."""
    folder = directory or Path(settings.TRUST_ROOTS_DIR)
    if not folder.is_dir():
        return []
    return [
        path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix.lower() in CERTIFICATE_SUFFIXES
    ]


def verify(pdf: bytes) -> signing.Verification:
    return signing.verify_pdf(pdf, trust_roots=trust_roots())


def problems_text(result: signing.Verification) -> str:
    return " ".join(message(p) for p in result.problems)


def summary(result: signing.Verification) -> str:
    """ "Ký số bởi …, lúc …" for the attachment's description and the audit trail."""
    when = result.signing_time.strftime("%d/%m/%Y %H:%M") if result.signing_time else "?"
    return _("Signed by %(signer)s at %(time)s") % {"signer": result.signer, "time": when}
