"""Encryption at rest and keyed lookup hashes for sensitive values (ID numbers).

The encrypted value can be read back by whoever holds FIELD_ENCRYPTION_KEY; the lookup hash finds and
de-duplicates a value without decrypting anything, and cannot be reversed without LOOKUP_HASH_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"baodao", info=purpose).derive(
        settings.SECRET_KEY.encode()
    )


@cache
def _fernet() -> Fernet:
    key = settings.FIELD_ENCRYPTION_KEY or base64.urlsafe_b64encode(_derive(b"field-encryption")).decode()
    return Fernet(key)


@cache
def _lookup_key() -> bytes:
    return settings.LOOKUP_HASH_KEY.encode() if settings.LOOKUP_HASH_KEY else _derive(b"lookup-hash")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def encrypt_bytes(value: bytes) -> bytes:
    """For files that carry sensitive values (an uploaded roster holds ID numbers) while they are kept."""
    return _fernet().encrypt(value)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet().decrypt(token)


def lookup_hash(value: str) -> str:
    return hmac.new(_lookup_key(), value.encode(), hashlib.sha256).hexdigest()


@cache
def _code_key() -> bytes:
    return _derive(b"one-time-code")


def code_hash(value: str) -> str:
    """HMAC-SHA256 of a short one-time code (activation codes): a code of 8 digits has only 10^8 values, so
    without a key a copy of the database would give every code away. The key derives from SECRET_KEY:
    changing it voids the codes outstanding."""
    return hmac.new(_code_key(), value.encode(), hashlib.sha256).hexdigest()


@cache
def _chain_key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode() if settings.AUDIT_CHAIN_KEY else _derive(b"audit-chain")


def chain_hash(value: str) -> str:
    """HMAC-SHA256 for the audit chain: without the key, a rewritten chain cannot be made to verify."""
    return hmac.new(_chain_key(), value.encode(), hashlib.sha256).hexdigest()


def keyed_digest(purpose: bytes, value: str) -> bytes:
    """HMAC-SHA256 of `value` under a key for `purpose`: rotating check-in codes (from SECRET_KEY) and
    certificates (from CERTIFICATE_KEY when set, which outlives a rotation of SECRET_KEY) — things that must
    be checkable without being stored and unforgeable without the key."""
    if purpose.startswith(b"certificate") and settings.CERTIFICATE_KEY:
        key = hmac.new(settings.CERTIFICATE_KEY.encode(), purpose, hashlib.sha256).digest()
    else:
        key = _derive(purpose)
    return hmac.new(key, value.encode(), hashlib.sha256).digest()
