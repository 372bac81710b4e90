"""A throwaway public-key infrastructure: a root CA, signer certificates, PKCS#12 files.

For the demo (``load_demo`` writes a demo root and the demo approver's key file, see
``write_demo_signer``) and for the tests, which also make timestamp authorities and
revocation lists here. Nothing here is fit for real signatures: the CA's key is thrown away,
and the demo's passphrase is public.

Everything is generated in memory with ``cryptography``; nothing is fetched. The certificates
carry the extensions pyhanko-certvalidator checks (basic constraints, key usage, key
identifiers), so a chain ``signer -> CA`` validates when the CA is given as a trust root.

Keys are RSA 2048 (what Vietnamese CAs issue) unless ``key_kind="ec"`` (P-256, faster).
In tests, generate them once per module (a module-scoped fixture): RSA key generation is the
slow part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as _pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
KeyKind = Literal["rsa", "ec"]


def _new_key(key_kind: KeyKind) -> PrivateKey:
    if key_kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA signs certificates and revocation lists; a signer signs documents
    (digitalSignature + nonRepudiation, as Vietnamese CAs issue them for document signing)."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(
    name: str = "GovPlan Test Root CA",
    *,
    key_kind: KeyKind = "rsa",
    organisation: str = "GovPlan Test PKI",
) -> tuple[PrivateKey, x509.Certificate]:
    """A self-signed root CA valid from yesterday for ten years."""
    key = _new_key(key_kind)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = _now()
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_signer(
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    common_name: str = "Nguyễn Văn A",
    organisation: str = "UBND tỉnh Bắc Ninh",
    days_valid: int = 365,
    not_before: dt.datetime | None = None,
    *,
    key_kind: KeyKind = "rsa",
    crl_url: str = "",
    timestamping: bool = False,
) -> tuple[PrivateKey, x509.Certificate]:
    """An end-entity signing certificate issued by ``ca_cert``.

    Valid from ``not_before`` (default: an hour ago) for ``days_valid`` days; pass a
    ``not_before`` in the past and a short ``days_valid`` for an expired certificate. Key usage
    digitalSignature + nonRepudiation (critical), like the certificates Vietnamese CAs issue for
    document signing. An empty ``organisation`` leaves the O attribute out. ``crl_url``: the
    address of the CA's revocation list, written into the certificate (CRL distribution
    point). ``timestamping``: a timestamp authority's certificate instead (extended key usage
    timeStamping, critical, as RFC 3161 requires).
    """
    key = _new_key(key_kind)
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    start = not_before if not_before is not None else _now() - dt.timedelta(hours=1)
    public_key = key.public_key()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days_valid))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
    )
    if crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        cert = cert.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if timestamping:
        cert = cert.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return key, cert.sign(ca_key, hashes.SHA256())


def make_crl(
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    revoked: Sequence[tuple[x509.Certificate, dt.datetime]] = (),
    *,
    days_valid: int = 7,
) -> bytes:
    """The CA's certificate revocation list (DER), naming each certificate of ``revoked``
    with its revocation time; issued an hour ago, next update in ``days_valid`` days."""
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=days_valid))
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for cert, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(when)
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def pkcs12(
    key: PrivateKey,
    cert: x509.Certificate,
    ca_cert: x509.Certificate | None,
    passphrase: bytes | None,
    *,
    legacy: bool = False,
) -> bytes:
    """A PKCS#12 (.p12/.pfx) file holding the key, its certificate and the CA certificate.

    ``passphrase`` None or empty: unencrypted. ``legacy=True``: the SHA1/3DES encryption that
    older Windows tools and many CA token utilities still produce.
    """
    cas = [ca_cert] if ca_cert is not None else None
    encryption: serialization.KeySerializationEncryption
    if not passphrase:
        encryption = serialization.NoEncryption()
    elif legacy:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(_pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # noqa: S303  (the old format, on purpose)
            .build(passphrase)
        )
    else:
        encryption = serialization.BestAvailableEncryption(passphrase)
    return _pkcs12.serialize_key_and_certificates(b"signer", key, cert, cas, encryption)


def pem(cert: x509.Certificate) -> bytes:
    """The certificate in PEM form (``der(cert)`` for DER)."""
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# The demo's certificates last three years; a key file within a month of its end is replaced.
DEMO_DAYS = 3 * 365
DEMO_MARGIN = dt.timedelta(days=30)


def _usable_demo_files(root_file: Path, key_file: Path, passphrase: bytes) -> bool:
    """Both files there, the key file opens, its certificate was issued by that root and
    stays valid for a while yet."""
    if not (root_file.is_file() and key_file.is_file()):
        return False
    try:
        root = x509.load_pem_x509_certificate(root_file.read_bytes())
        _key, cert, _cas = _pkcs12.load_key_and_certificates(key_file.read_bytes(), passphrase)
    except ValueError:
        return False
    if cert is None or cert.issuer != root.subject:
        return False
    return cert.not_valid_after_utc - DEMO_MARGIN > _now()


def write_demo_signer(
    root_file: Path,
    key_file: Path,
    *,
    passphrase: str,
    common_name: str,
    organisation: str,
) -> bool:
    """A demo root certificate (PEM) and a signer's PKCS#12 key file issued by it.

    Idempotent: files that are there, match and stay valid are kept (False); otherwise a
    new root and key file replace both (True). The key file is readable by its owner only.
    """
    secret = passphrase.encode()
    if _usable_demo_files(root_file, key_file, secret):
        return False
    ca_key, ca_cert = make_ca("GovPlan Demo Root CA", organisation="GovPlan Demo PKI")
    key, cert = make_signer(
        ca_key, ca_cert, common_name=common_name, organisation=organisation, days_valid=DEMO_DAYS
    )
    root_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.chmod(0o600)
    key_file.write_bytes(pkcs12(key, cert, ca_cert, secret))
    root_file.write_bytes(pem(ca_cert))
    return True
