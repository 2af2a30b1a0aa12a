"""Personal data: keyed hashing of phone numbers and masking of free text, applied before anything is written.

The hash is HMAC-SHA256 with the secret `CALLQA_PII_KEY`: the same number always gives the same key (so an
unidentified caller can still be followed across calls), but without the secret nobody can recompute it
from a list of phone numbers, as they could from a plain SHA-256.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import warnings

DEV_DEFAULT_KEY = "callqa-development-key-NOT-SECRET"

# A phone, account, card or ID number: 7 or more digits, possibly broken up by spaces, dots, dashes,
# slashes or parentheses (e.g. "+1 (212) 555-0147", "4111 1111 1111 1111"). Shorter digit runs (order
# numbers, amounts, times) stay readable.
_NUMBER_RUN = re.compile(r"\+?\d(?:[\s().\-/]{0,3}\d){6,}")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


class DevKeyWarning(UserWarning):
    """The PII key is the published development default: hashes are not secret."""


def pii_key() -> bytes:
    key = os.environ.get("CALLQA_PII_KEY")
    if not key:
        warnings.warn(
            "CALLQA_PII_KEY is not set: phone numbers are hashed with the PUBLIC development key. "
            "Anyone can reverse such hashes by trying every number. Set CALLQA_PII_KEY to a secret "
            "before loading real data.",
            DevKeyWarning,
            stacklevel=2,
        )
        key = DEV_DEFAULT_KEY
    return key.encode("utf-8")


def normalize_phone(number: str) -> str:
    """Digits only, keeping a leading '+': '+1 212-555-0147' and '+12125550147' are the same caller."""
    stripped = number.strip()
    digits = re.sub(r"\D", "", stripped)
    return ("+" + digits) if stripped.startswith("+") else digits


def hash_phone(number: str | None, key: bytes) -> str | None:
    if number is None:
        return None
    normalized = normalize_phone(number)
    if not normalized.strip("+"):
        # No digits at all: hash the text as delivered, so the value never leaks and stays comparable.
        normalized = number.strip()
    return hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def mask_text(text: str | None) -> str | None:
    if text is None:
        return None
    return _NUMBER_RUN.sub("<num>", _EMAIL.sub("<email>", text))
