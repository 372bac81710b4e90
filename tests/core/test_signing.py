"""PAdES signing and verification (govplan.core.adapters.signing) against a throwaway PKI: a
signed PDF verifies; any change to the signed bytes, anything appended, a foreign or expired
certificate, an unsigned or unreadable file is caught; bad key files and passphrases give clear
errors.
No database, no network; keys are generated once for the module."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import DocumentSecurityStore

from govplan.core.adapters import signing
from govplan.core.adapters.pdf import write_pdf
from govplan.core.adapters.signing import SigningError, off_running_loop, sign_pdf, verify_pdf
from govplan.core.official.model import Issuer, OfficialDocument, Paragraph, Run, Section
from govplan.demo import pki
from tests.support import signing as support

PASSPHRASE = b"mat-khau-2026"
REASON = "Phê duyệt kế hoạch ứng dụng CNTT năm 2026"
LOCATION = "Bắc Ninh"
LABEL = "Nguyễn Văn A, Giám đốc Sở Khoa học và Công nghệ"
PLAN = OfficialDocument(
    kind="plan",
    issuer=Issuer(body="ỦY BAN NHÂN DÂN\nTỈNH BẮC NINH", name="Ủy ban nhân dân tỉnh Bắc Ninh"),
    subject="Ứng dụng công nghệ thông tin năm 2026",
    sections=(
        Section(
            "I",
            "Mục tiêu",
            0,
            blocks=(Paragraph((Run("Chuyển đổi số, dữ liệu, an toàn thông tin."),)),),
        ),
    ),
)


@dataclass(frozen=True)
class World:
    ca_key: pki.PrivateKey
    ca: x509.Certificate
    p12: bytes  # Nguyễn Văn A, UBND tỉnh Bắc Ninh, issued by ca, protected by PASSPHRASE
    other_ca: x509.Certificate
    foreign_p12: bytes  # issued by other_ca
    expired_key: pki.PrivateKey
    expired_cert: x509.Certificate
    pdf: bytes  # unsigned, Vietnamese text
    signed: bytes  # pdf signed with p12


@pytest.fixture(scope="module")
def world() -> World:
    ca_key, ca = pki.make_ca()
    key, cert = pki.make_signer(ca_key, ca)
    other_ca_key, other_ca = pki.make_ca("Some Other Root CA")
    foreign_key, foreign_cert = pki.make_signer(other_ca_key, other_ca, common_name="Kẻ Lạ")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
    expired_key, expired_cert = pki.make_signer(ca_key, ca, days_valid=365, not_before=long_ago)
    p12 = pki.pkcs12(key, cert, ca, PASSPHRASE)
    pdf = write_pdf(PLAN)
    signed = sign_pdf(
        pdf,
        key_and_certs=p12,
        passphrase=PASSPHRASE,
        reason=REASON,
        location=LOCATION,
        signer_label=LABEL,
    )
    return World(
        ca_key=ca_key,
        ca=ca,
        p12=p12,
        other_ca=other_ca,
        foreign_p12=pki.pkcs12(foreign_key, foreign_cert, other_ca, PASSPHRASE),
        expired_key=expired_key,
        expired_cert=expired_cert,
        pdf=pdf,
        signed=signed,
    )


def _verify(pdf: bytes, world: World) -> signing.Verification:
    return verify_pdf(pdf, trust_roots=[pki.pem(world.ca)])


def _byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    a, b, c, d = (int(n) for n in found[-1])
    return a, b, c, d


# --- Round trip ------------------------------------------------------------------------------


def test_signed_pdf_verifies_against_its_ca(world: World) -> None:
    result = _verify(world.signed, world)

    assert result.acceptable
    assert (result.signed, result.intact, result.covers_whole_file, result.trusted) == (
        True,
        True,
        True,
        True,
    )
    assert result.problems == ()
    assert "Nguyễn Văn A" in result.signer  # diacritics intact
    assert "UBND tỉnh Bắc Ninh" in result.signer
    assert result.signing_time is not None
    assert abs(dt.datetime.now(dt.UTC) - result.signing_time) < dt.timedelta(minutes=5)
    assert result.reason == REASON
    assert result.location == LOCATION


def test_signature_is_pades_and_its_byte_range_spans_the_file(world: World) -> None:
    start, first_len, second_start, second_len = _byte_range(world.signed)

    assert b"/SubFilter /ETSI.CAdES.detached" in world.signed
    assert start == 0
    assert world.signed[first_len : first_len + 1] == b"<"  # the gap is only the signature
    assert world.signed[second_start - 1 : second_start] == b">"
    assert second_start + second_len == len(world.signed)
    assert world.signed.startswith(world.pdf)  # an incremental update of the original
    sig = PdfFileReader(io.BytesIO(world.signed)).embedded_signatures[0]
    assert sig.field_name == "Signature1"
    assert sig.sig_object["/Name"] == LABEL


def test_trust_root_may_be_der_or_part_of_a_pem_bundle(world: World) -> None:
    bundle = pki.pem(world.other_ca) + pki.pem(world.ca)

    assert verify_pdf(world.signed, trust_roots=[pki.der(world.ca)]).acceptable
    assert verify_pdf(world.signed, trust_roots=[bundle]).acceptable


def test_signing_twice_keeps_both_intact_and_names_the_last_signer(world: World) -> None:
    key, cert = pki.make_signer(world.ca_key, world.ca, "Trần Thị B", "", key_kind="ec")
    second = sign_pdf(
        world.signed,
        key_and_certs=pki.pkcs12(key, cert, world.ca, None),
        passphrase=None,
        reason="Thẩm định",
        location="Hà Nội",
    )

    result = _verify(second, world)

    assert result.acceptable
    assert result.signer == "Trần Thị B"  # no organisation in that certificate
    assert result.reason == "Thẩm định"
    assert second.count(b"/ByteRange") == 2


@pytest.mark.parametrize("legacy", [False, True], ids=["aes", "legacy-3des"])
def test_legacy_and_unprotected_key_files_sign(world: World, legacy: bool) -> None:
    key, cert = pki.make_signer(world.ca_key, world.ca, key_kind="ec")
    p12 = pki.pkcs12(key, cert, world.ca, PASSPHRASE, legacy=legacy)

    signed = sign_pdf(world.pdf, key_and_certs=p12, passphrase=PASSPHRASE, reason="", location="")

    assert _verify(signed, world).acceptable


# --- Tampering -------------------------------------------------------------------------------


def _page_content_offset(pdf: bytes) -> int:
    """Offset, in the file, of the middle of the first page's content stream."""
    reader = PdfFileReader(io.BytesIO(pdf))
    contents = reader.root["/Pages"]["/Kids"][0]["/Contents"]
    stream = contents[0] if isinstance(contents, generic.ArrayObject) else contents
    raw = stream.get_object().encoded_data
    return pdf.index(raw) + len(raw) // 2


def test_changed_page_content_is_altered(world: World) -> None:
    offset = _page_content_offset(world.signed)
    _, first_len, _, _ = _byte_range(world.signed)
    assert offset < first_len  # inside the signed range, outside the signature itself
    tampered = bytearray(world.signed)
    tampered[offset] ^= 0x01

    result = _verify(bytes(tampered), world)

    assert result.signed
    assert not result.intact
    assert not result.acceptable
    assert signing.ALTERED in result.problems
    assert result.trusted  # the certificate is fine; the content is not


def test_changed_signature_value_is_altered(world: World) -> None:
    _, first_len, second_start, _ = _byte_range(world.signed)
    contents = world.signed[first_len + 1 : second_start - 1]  # hex between < and >
    end_of_der = len(contents.rstrip(b"0"))
    offset = first_len + 1 + end_of_der - 20  # inside the RSA signature value, at the end
    tampered = bytearray(world.signed)
    tampered[offset] = ord("1") if tampered[offset] != ord("1") else ord("2")

    result = _verify(bytes(tampered), world)

    assert not result.intact
    assert not result.acceptable
    assert signing.ALTERED in result.problems


def test_tampering_with_an_earlier_signature_is_altered(world: World) -> None:
    key, cert = pki.make_signer(world.ca_key, world.ca, "Trần Thị B", key_kind="ec")
    offset = _page_content_offset(world.signed)
    second = bytearray(
        sign_pdf(
            world.signed,
            key_and_certs=pki.pkcs12(key, cert, world.ca, None),
            passphrase=None,
            reason="",
            location="",
        )
    )
    second[offset] ^= 0x01  # covered by both signatures

    result = _verify(bytes(second), world)

    assert not result.intact
    assert signing.ALTERED in result.problems


# --- Additions after signing -----------------------------------------------------------------


def test_incremental_update_after_signing_does_not_cover_the_whole_file(world: World) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(world.signed))
    writer.root["/GovPlanAddedLater"] = generic.BooleanObject(True)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)

    result = _verify(out.getvalue(), world)

    assert result.intact  # what was signed is unchanged ...
    assert result.trusted
    assert not result.covers_whole_file  # ... but something was added
    assert not result.acceptable
    assert result.problems == (signing.NOT_WHOLE_FILE,)


def test_bytes_appended_after_signing_do_not_cover_the_whole_file(world: World) -> None:
    result = _verify(world.signed + b"\n% appended later\n", world)

    assert not result.covers_whole_file
    assert not result.acceptable
    assert signing.NOT_WHOLE_FILE in result.problems


def test_validation_data_added_later_still_covers_the_whole_file(world: World) -> None:
    """A document security store (certificates, OCSP, CRLs for long-term validation) is the
    one kind of update allowed after signing, like a document timestamp below."""
    sig = PdfFileReader(io.BytesIO(world.signed)).embedded_signatures[0]
    out = io.BytesIO(world.signed)
    ca = asn1_x509.Certificate.load(pki.der(world.ca))
    DocumentSecurityStore.add_dss(out, sig.pkcs7_content, certs=[ca])

    result = _verify(out.getvalue(), world)

    assert len(out.getvalue()) > len(world.signed)
    assert result.acceptable


def test_document_timestamp_added_later_still_covers_the_whole_file(world: World) -> None:
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.der(world.ca)),
        tsa_key=signers.SimpleSigner.load_pkcs12_data(
            pki.pkcs12(world.ca_key, world.ca, None, None), other_certs=()
        ).signing_key,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(world.signed))
    stamped = off_running_loop(
        lambda: PdfTimeStamper(tsa).timestamp_pdf(writer, "sha256").getvalue()
    )()

    result = _verify(stamped, world)

    assert b"/DocTimeStamp" in stamped
    assert result.acceptable
    assert "Nguyễn Văn A" in result.signer  # the signature, not the timestamp, is described


# --- Trust -----------------------------------------------------------------------------------


def test_certificate_from_another_ca_is_untrusted(world: World) -> None:
    signed = sign_pdf(
        world.pdf,
        key_and_certs=world.foreign_p12,
        passphrase=PASSPHRASE,
        reason="",
        location="",
    )

    result = _verify(signed, world)

    assert result.intact
    assert result.covers_whole_file
    assert not result.trusted
    assert not result.acceptable
    assert result.problems == (signing.UNTRUSTED,)
    assert "Kẻ Lạ" in result.signer
    assert verify_pdf(signed, trust_roots=[pki.pem(world.other_ca)]).acceptable


def test_no_trust_roots_trusts_nothing(world: World) -> None:
    result = verify_pdf(world.signed, trust_roots=[])

    assert not result.trusted
    assert signing.UNTRUSTED in result.problems


def test_certificate_expired_at_signing_time_is_untrusted(world: World) -> None:
    """sign_pdf refuses an expired certificate, so sign with pyHanko directly, as other
    software might."""
    p12 = pki.pkcs12(world.expired_key, world.expired_cert, world.ca, None)
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=())
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(world.pdf))
    signed = off_running_loop(
        lambda: signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()
    )()

    result = _verify(signed, world)

    assert result.intact
    assert not result.trusted
    assert result.problems == (signing.OUTSIDE_VALIDITY, signing.CERT_NOT_VALID)


def test_a_trust_root_that_is_not_a_certificate_is_a_configuration_error(world: World) -> None:
    with pytest.raises(ValueError, match="trust root"):
        verify_pdf(world.signed, trust_roots=[b"not a certificate"])


# --- Unsigned and unreadable files ------------------------------------------------------------


def test_plain_pdf_is_not_signed(world: World) -> None:
    result = _verify(world.pdf, world)

    assert not result.signed
    assert not result.acceptable
    assert result.problems == (signing.NOT_SIGNED,)
    assert result.signer == ""
    assert result.signing_time is None


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage, not a PDF at all", b"%PDF-1.7\n", "half"],
    ids=["empty", "garbage", "header-only", "truncated-signed"],
)
def test_unreadable_file_is_reported_not_raised(world: World, data: bytes | str) -> None:
    # cut inside the original revision: cut after it, the rest reads as the unsigned original
    pdf = world.signed[: len(world.pdf) // 2] if data == "half" else data
    assert isinstance(pdf, bytes)

    result = _verify(pdf, world)

    assert not result.signed
    assert not result.acceptable
    assert result.problems == (signing.UNREADABLE,)


# --- Signing errors --------------------------------------------------------------------------


def _sign_with(world: World, p12: bytes, passphrase: bytes | None, pdf: bytes = b"") -> bytes:
    return sign_pdf(
        pdf or world.pdf, key_and_certs=p12, passphrase=passphrase, reason="", location=""
    )


@pytest.mark.parametrize("passphrase", [b"wrong", None, b""], ids=["wrong", "none", "empty"])
def test_wrong_passphrase_is_a_signing_error(world: World, passphrase: bytes | None) -> None:
    with pytest.raises(SigningError) as caught:
        _sign_with(world, world.p12, passphrase)
    assert caught.value.message == signing.WRONG_PASSPHRASE
    assert str(caught.value) == signing.WRONG_PASSPHRASE


@pytest.mark.parametrize("which", ["garbage", "pem-certificate"])
def test_a_file_that_is_not_pkcs12_is_a_signing_error(world: World, which: str) -> None:
    data = b"\x00garbage" * 10 if which == "garbage" else pki.pem(world.ca)
    with pytest.raises(SigningError) as caught:
        _sign_with(world, data, PASSPHRASE)
    assert caught.value.message == signing.WRONG_PASSPHRASE


def test_expired_certificate_is_a_signing_error(world: World) -> None:
    p12 = pki.pkcs12(world.expired_key, world.expired_cert, world.ca, PASSPHRASE)
    with pytest.raises(SigningError) as caught:
        _sign_with(world, p12, PASSPHRASE)
    assert caught.value.message == signing.CERT_EXPIRED


def test_certificate_not_valid_yet_is_a_signing_error(world: World) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    key, cert = pki.make_signer(world.ca_key, world.ca, not_before=later, key_kind="ec")
    with pytest.raises(SigningError) as caught:
        _sign_with(world, pki.pkcs12(key, cert, world.ca, None), None)
    assert caught.value.message == signing.CERT_NOT_YET_VALID


def test_key_file_without_a_key_is_a_signing_error(world: World) -> None:
    only_ca = pkcs12.serialize_key_and_certificates(
        None, None, None, [world.ca], serialization.NoEncryption()
    )
    with pytest.raises(SigningError) as caught:
        _sign_with(world, only_ca, None)
    assert caught.value.message == signing.INCOMPLETE_KEY_FILE


def test_unprotected_key_file_opens_whatever_passphrase_is_typed(world: World) -> None:
    key, cert = pki.make_signer(world.ca_key, world.ca, key_kind="ec")
    signed = _sign_with(world, pki.pkcs12(key, cert, world.ca, None), b"typed anyway")
    assert _verify(signed, world).acceptable


@pytest.mark.parametrize(
    "pdf", [b"garbage, not a PDF", b"%PDF-1.4\nno objects\n"], ids=["garbage", "header-only"]
)
def test_unreadable_pdf_is_a_signing_error(world: World, pdf: bytes) -> None:
    with pytest.raises(SigningError) as caught:
        _sign_with(world, world.p12, PASSPHRASE, pdf)
    assert caught.value.message == signing.PDF_UNREADABLE


# --- When it was signed ------------------------------------------------------------------------

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def keys(world: World):  # type: ignore[no-untyped-def]
    """An EC signer of the world's CA, and a timestamp authority (RSA, as pyHanko's test
    authority needs) of that CA and of another."""
    key, cert = pki.make_signer(world.ca_key, world.ca, "Lê Văn C", key_kind="ec")
    tsa_key, tsa_cert = pki.make_signer(
        world.ca_key,
        world.ca,
        "TSA",
        timestamping=True,
        days_valid=3650,
        not_before=NOW - dt.timedelta(days=1000),
    )
    other_key, other_ca = pki.make_ca("Untrusted TSA Root", key_kind="ec")
    rogue_key, rogue_cert = pki.make_signer(other_key, other_ca, "Rogue TSA", timestamping=True)
    return {
        "signer": (key, cert),
        "tsa": (tsa_key, tsa_cert),
        "rogue_tsa": (rogue_key, rogue_cert),
    }


def test_a_signing_time_in_the_future_is_refused(world: World, keys) -> None:  # type: ignore[no-untyped-def]
    key, cert = keys["signer"]
    in_2029 = NOW + dt.timedelta(days=800)
    signed = support.sign(world.pdf, key, cert, world.ca, at=in_2029)

    result = _verify(signed, world)

    assert result.intact and result.covers_whole_file
    assert not result.acceptable
    assert signing.FUTURE_SIGNING_TIME in result.problems
    assert result.signing_time is not None and result.signing_time.year == in_2029.year


def test_a_few_seconds_ahead_is_a_clock_not_the_future(world: World, keys) -> None:  # type: ignore[no-untyped-def]
    key, cert = keys["signer"]
    signed = support.sign(world.pdf, key, cert, world.ca, at=NOW + dt.timedelta(seconds=90))

    assert _verify(signed, world).acceptable


def test_an_expired_certificate_with_a_back_dated_time_is_refused(world: World) -> None:
    """The claim puts the signature inside the certificate's year; nothing proves it."""
    claimed = world.expired_cert.not_valid_before_utc + dt.timedelta(days=100)
    signed = support.sign(world.pdf, world.expired_key, world.expired_cert, world.ca, at=claimed)

    result = _verify(signed, world)

    assert result.intact
    assert not result.trusted
    assert result.problems == (signing.CERT_NOT_VALID,)
    assert result.signing_time == claimed.replace(microsecond=0)


def test_a_trusted_timestamp_proves_a_signature_made_while_the_certificate_was_valid(
    world: World, keys
) -> None:  # type: ignore[no-untyped-def]
    then = world.expired_cert.not_valid_before_utc + dt.timedelta(days=100)
    tsa = support.timestamper(*keys["tsa"], at=then)
    signed = support.sign(
        world.pdf, world.expired_key, world.expired_cert, world.ca, at=then, tsa=tsa
    )

    result = _verify(signed, world)

    assert result.acceptable, result.problems
    check = result.signatures[0]
    assert check.timestamp == "trusted"
    assert check.timestamp_time == then.replace(microsecond=0)
    assert result.signing_time == check.timestamp_time


def test_a_timestamp_from_an_untrusted_authority_proves_nothing(world: World, keys) -> None:  # type: ignore[no-untyped-def]
    then = world.expired_cert.not_valid_before_utc + dt.timedelta(days=100)
    tsa = support.timestamper(*keys["rogue_tsa"], at=then)
    signed = support.sign(
        world.pdf, world.expired_key, world.expired_cert, world.ca, at=then, tsa=tsa
    )

    result = _verify(signed, world)

    assert result.signatures[0].timestamp == "untrusted"
    assert result.signatures[0].timestamp_time is None
    assert result.problems == (signing.CERT_NOT_VALID,)


def test_a_claimed_time_before_the_certificate_was_issued_is_refused(world: World, keys) -> None:  # type: ignore[no-untyped-def]
    key, cert = keys["signer"]
    signed = support.sign(world.pdf, key, cert, world.ca, at=NOW - dt.timedelta(days=30))

    result = _verify(signed, world)

    assert result.problems == (signing.OUTSIDE_VALIDITY,)


# --- Revocation -------------------------------------------------------------------------------


def _verify_revocation(pdf: bytes, world: World, **options) -> signing.Verification:  # type: ignore[no-untyped-def]
    return verify_pdf(pdf, trust_roots=[pki.pem(world.ca)], **options)


def test_a_certificate_on_the_revocation_list_given_is_refused(world: World) -> None:
    key, cert = pki.make_signer(world.ca_key, world.ca, key_kind="ec", crl_url="http://x.invalid/")
    crl = pki.make_crl(world.ca_key, world.ca, [(cert, NOW - dt.timedelta(minutes=30))])
    signed = support.sign(world.pdf, key, cert, world.ca)

    result = _verify_revocation(signed, world, crls=[crl])

    assert not result.acceptable
    assert result.problems == (signing.REVOKED,)
    assert result.signatures[0].revocation == signing.REVOCATION_REVOKED


def test_revocation_is_fetched_from_the_address_in_the_certificate(world: World) -> None:
    with support.serving() as served:
        key, cert = pki.make_signer(world.ca_key, world.ca, key_kind="ec", crl_url=served.url)
        good_key, good = pki.make_signer(world.ca_key, world.ca, key_kind="ec", crl_url=served.url)
        served.content = pki.make_crl(world.ca_key, world.ca, [(cert, NOW - dt.timedelta(hours=1))])
        revoked = _verify_revocation(
            support.sign(world.pdf, key, cert, world.ca), world, allow_fetching=True
        )
        fine = _verify_revocation(
            support.sign(world.pdf, good_key, good, world.ca), world, allow_fetching=True
        )
        not_fetched = _verify_revocation(
            support.sign(world.pdf, key, cert, world.ca), world, allow_fetching=False
        )

    assert revoked.problems == (signing.REVOKED,)
    assert fine.acceptable
    assert fine.signatures[0].revocation == signing.REVOCATION_GOOD
    assert served.requests >= 2
    # Not allowed to fetch: not checked, and said so.
    assert not_fetched.acceptable
    assert not_fetched.signatures[0].revocation == signing.REVOCATION_UNCHECKED


def test_an_unreachable_revocation_list_is_stated_or_refused_as_configured(world: World) -> None:
    key, cert = pki.make_signer(
        world.ca_key, world.ca, key_kind="ec", crl_url=support.unreachable_url()
    )
    signed = support.sign(world.pdf, key, cert, world.ca)

    soft = _verify_revocation(signed, world, allow_fetching=True, revocation="soft")
    hard = _verify_revocation(signed, world, allow_fetching=True, revocation="hard")
    off = _verify_revocation(signed, world, allow_fetching=True, revocation="off")

    assert soft.acceptable
    assert soft.signatures[0].revocation == signing.REVOCATION_UNCHECKED
    assert soft.signatures[0].revocation_note
    assert hard.problems == (signing.REVOCATION_UNAVAILABLE,)
    assert off.acceptable and off.signatures[0].revocation == signing.REVOCATION_OFF


def test_a_certificate_naming_no_revocation_source_says_so(world: World) -> None:
    result = _verify(world.signed, world)

    assert result.signatures[0].revocation == signing.REVOCATION_NO_SOURCE


# --- Which document was signed ------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_document_that_was_signed_is_recognised_by_its_hash(world: World, keys) -> None:  # type: ignore[no-untyped-def]
    key, cert = keys["signer"]
    visible = support.sign(world.pdf, key, cert, world.ca, visible=True)

    for signed in (world.signed, visible):
        originals = _verify(signed, world).originals
        assert _sha(world.pdf) in {o.sha256 for o in originals}
        assert all(o.pages_unchanged for o in originals if o.sha256 == _sha(world.pdf))


def test_a_page_changed_in_the_signing_revision_is_not_the_document(world: World, keys) -> None:  # type: ignore[no-untyped-def]
    key, cert = keys["signer"]
    signed = support.sign(world.pdf, key, cert, world.ca, change_page=True)

    result = _verify(signed, world)

    assert result.acceptable  # a sound signature ...
    matching = [o for o in result.originals if o.sha256 == _sha(world.pdf)]
    assert matching and not any(o.pages_unchanged for o in matching)  # ... over other content


def test_a_second_signature_keeps_the_original_of_the_first(world: World) -> None:
    key, cert = pki.make_signer(world.ca_key, world.ca, "Trần Thị B", key_kind="ec")
    second = sign_pdf(
        world.signed,
        key_and_certs=pki.pkcs12(key, cert, world.ca, None),
        passphrase=None,
        reason="",
        location="",
    )

    result = _verify(second, world)

    assert [c.signer for c in result.signatures] == [
        "Nguyễn Văn A, UBND tỉnh Bắc Ninh",
        "Trần Thị B, UBND tỉnh Bắc Ninh",
    ]
    assert _sha(world.pdf) in {o.sha256 for o in result.originals if o.pages_unchanged}


# --- Certificates people register ---------------------------------------------------------------


def test_a_certificate_is_described_and_checked_against_the_trust_roots(world: World) -> None:
    info = signing.certificate_info(pki.pem(world.expired_cert))

    assert info.subject == "Nguyễn Văn A, UBND tỉnh Bắc Ninh"
    assert info.fingerprint == _sha(pki.der(world.expired_cert))
    assert info.may_sign
    roots = [pki.pem(world.ca)]
    _key, cert = pki.make_signer(world.ca_key, world.ca, key_kind="ec")
    assert signing.verify_certificate(pki.der(cert), trust_roots=roots) == ()
    assert signing.verify_certificate(pki.pem(world.expired_cert), trust_roots=roots) == (
        signing.CERT_NOT_VALID,
    )
    assert signing.verify_certificate(pki.der(cert), trust_roots=[pki.pem(world.other_ca)]) == (
        signing.UNTRUSTED,
    )
    with pytest.raises(SigningError) as caught:
        signing.certificate_info(b"not a certificate")
    assert caught.value.message == signing.NOT_A_CERTIFICATE
    assert signing.key_file_certificate(world.p12, PASSPHRASE).subject == info.subject
