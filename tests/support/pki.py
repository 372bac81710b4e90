"""A throwaway public-key infrastructure for tests: a root CA, signer certificates, PKCS#12 files.

Everything is generated in memory with ``cryptography``; nothing is fetched. The certificates
carry the extensions pyhanko-certvalidator checks (basic constraints, key usage, key
identifiers), so a chain ``signer -> CA`` validates when the CA is given as a trust root.

Keys are RSA 2048 (what Vietnamese CAs issue) unless ``key_kind="ec"`` (P-256, faster).
Generate them once per test module (a module-scoped fixture): RSA key generation is the slow
part.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as _pkcs12
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
KeyKind = Literal["rsa", "ec"]


def _new_key(key_kind: KeyKind) -> PrivateKey:
    if key_kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_ca(
    name: str = "GovPlan Test Root CA", *, key_kind: KeyKind = "rsa"
) -> tuple[PrivateKey, x509.Certificate]:
    """A self-signed root CA valid from yesterday for ten years."""
    key = _new_key(key_kind)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GovPlan Test PKI"),
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
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
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
) -> tuple[PrivateKey, x509.Certificate]:
    """An end-entity signing certificate issued by ``ca_cert``.

    Valid from ``not_before`` (default: an hour ago) for ``days_valid`` days; pass a
    ``not_before`` in the past and a short ``days_valid`` for an expired certificate. Key usage
    digitalSignature + nonRepudiation (critical), like the certificates Vietnamese CAs issue for
    document signing. An empty ``organisation`` leaves the O attribute out.
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
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


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
            .hmac_hash(hashes.SHA1())
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
