"""The throwaway PKI the tests sign with: it lives in the application (the demo uses it too),
govplan/official/pki.py; this module keeps the tests' imports working."""

from __future__ import annotations

from govplan.official.pki import (
    KeyKind,
    PrivateKey,
    der,
    make_ca,
    make_signer,
    pem,
    pkcs12,
)

__all__ = ["KeyKind", "PrivateKey", "der", "make_ca", "make_signer", "pem", "pkcs12"]
