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
import secrets
from pathlib import Path

# A phone, account, card or ID number: 7 or more digits, possibly broken up by spaces, dots, dashes,
# slashes or parentheses (e.g. "+1 (212) 555-0147", "4111 1111 1111 1111"). Shorter digit runs (order
# numbers, amounts, times) stay readable.
# Separators and digits are disjoint, so a run is read once and a failed start fails within 7 digits: linear.
# The quantifiers are possessive (`{0,3}+`, `{6,}+`): giving back never helps (nothing follows that could use it),
# so the matches are the same, but the regex engine keeps no backtracking state per digit (it kept ~120 bytes per
# digit: 20 MB of digits took 2.4 GB).
_NUMBER_RUN = re.compile(r"\+?\d(?:[\s().\-/]{0,3}+\d){6,}+")
# An e-mail address is `[\w.+-]+@[\w-]+(?:\.[\w-]+)+` (the rule; `_EMAIL` below is the same text as one pattern,
# kept for reference and for the tests). Searched as one pattern, a long run of local-part characters without an
# '@' is re-read from each of its positions (quadratic: 32 k letters took 1.9 s). `_mask_emails` finds the same
# matches in linear time: '@' + domain forward, then the local part backward from that '@'.
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_AT_DOMAIN = re.compile(r"@[\w\-]++(?:\.[\w\-]++)++")  # possessive, as _NUMBER_RUN
_LOCAL_RUN = re.compile(r"[\w.+\-]*")  # matched on reversed text: the local part that ends at an '@'
_LOCAL_WINDOW = 256  # most local parts are short: look back this far before reversing a whole stretch


KEY_FILE_NAME = "callqa_pii.key"
_FINGERPRINT_MESSAGE = b"callqa: which key hashed this warehouse"


def key_file(warehouse: Path) -> Path:
    """Where a warehouse keeps its generated key when CALLQA_PII_KEY is not set: beside it, mode 600."""
    return Path(warehouse).parent / KEY_FILE_NAME


def read_key(warehouse: Path) -> tuple[bytes, str] | None:
    """The key phone numbers are hashed with, read without creating one: (CALLQA_PII_KEY, "CALLQA_PII_KEY") when set,
    else (the warehouse's key file, its path); None when neither exists. An empty key file is an error."""
    value = os.environ.get("CALLQA_PII_KEY")
    if value:
        return value.encode("utf-8"), "CALLQA_PII_KEY"
    path = key_file(warehouse)
    if not path.is_file():
        return None
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ValueError(f"{path} is empty: restore the warehouse's key (or set CALLQA_PII_KEY)")
    return key.encode("utf-8"), str(path)


def resolve_key(warehouse: Path) -> tuple[bytes, str, bool]:
    """The key a run hashes with: CALLQA_PII_KEY when set; else the warehouse's key file, created on the first run
    with 32 random bytes (readable only by its owner). Returns (key, where it came from, whether it was just
    created). Never the public development key: that let anyone reverse every caller hash."""
    created = False
    if not os.environ.get("CALLQA_PII_KEY"):
        path = key_file(warehouse)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32) + "\n")
                created = True
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    key, source = read_key(warehouse)
    return key, source, created


def key_fingerprint(key: bytes) -> str:
    """A one-way fingerprint of the key (HMAC of a fixed message), recorded in the warehouse so that a run with
    another key is refused: its caller hashes would no longer join the earlier ones. Reveals nothing of the key."""
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


# URI schemes platforms put before a number (Genesys Cloud writes `tel:+12125550147`, SIP trunks `sip:...@host`).
_PHONE_URI = re.compile(r"^(?:tel|sip|sips):", re.IGNORECASE)


def normalize_phone(number: str) -> str:
    """Digits only, keeping a leading '+': '+1 212-555-0147', '+12125550147' and 'tel:+12125550147' (a platform's
    URI form) are the same caller; for a SIP URI only the user part before '@' counts."""
    stripped = _PHONE_URI.sub("", number.strip()).split("@", 1)[0].strip()
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


def _local_start(text: str, at: int, floor: int) -> int:
    """Where the run of local-part characters that ends at text[at] (an '@') begins, not before `floor`."""
    lo = max(floor, at - _LOCAL_WINDOW)
    length = _LOCAL_RUN.match(text[lo:at][::-1]).end()
    if length == at - lo and lo > floor:  # the run fills the window: read the whole stretch back to `floor`
        length = _LOCAL_RUN.match(text[floor:at][::-1]).end()
    return at - length


def _mask_emails(text: str) -> str:
    """`_EMAIL.sub("<email>", text)`, in time linear in len(text).

    The matches are the same: a match of `_EMAIL` holds exactly one '@' (no part of it can hold another), so the
    leftmost match is found at the first '@' whose domain matches and which has at least one local-part character
    before it, after the previous match; it starts where that run of local-part characters starts (or where the
    previous match ended, if that is later) and ends where the domain's (greedy) match ends. Each '@' is visited
    once and the stretches read backwards lie between consecutive '@'s, so every character is read O(1) times."""
    if "@" not in text:
        return text
    pieces: list[str] = []
    last_end = 0  # end of the previous e-mail match (text before it is already emitted)
    floor = 0  # after the previous '@' considered: no local part reaches back past an '@'
    for domain in _AT_DOMAIN.finditer(text):
        at = domain.start()
        start = _local_start(text, at, max(floor, last_end))
        floor = at + 1
        if start < at:
            pieces.append(text[last_end:start])
            pieces.append("<email>")
            last_end = domain.end()
    if not pieces:
        return text
    pieces.append(text[last_end:])
    return "".join(pieces)


def mask_text(text: str | None) -> str | None:
    """Free text with e-mail addresses replaced by `<email>` and runs of 7+ digits by `<num>`; linear time."""
    if text is None:
        return None
    return _NUMBER_RUN.sub("<num>", _mask_emails(text))


# A date, time or timestamp as ISO 8601 writes it ("2026-03-08", "2026-03-08T01:59:00-05:00", "10:30:00Z"): in a
# column nobody named it is kept, not taken for a number (its 8+ digits would otherwise make it one).
_ISO_DATE_TIME = re.compile(
    r"(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?|\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?:\s?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?))?"
)


def protect_unnamed(value: str | None, key: bytes) -> str | None:
    """A value of a delivered column that neither the contract nor the adapter names (e.g. `ani`, a
    JSON `note`): nobody said what it holds, so it is treated as possibly personal. A value that is one number
    (7+ digits, separators allowed: a phone, account or card number) is hashed exactly as `caller_number` is (so
    `ani` and `caller_number` of one caller give one hash); an ISO date or timestamp is kept; anything else is
    masked as free text (e-mail addresses and 7+ digit runs inside it replaced)."""
    if value is None:
        return None
    stripped = value.strip()
    if _ISO_DATE_TIME.fullmatch(stripped):
        return value
    if _NUMBER_RUN.fullmatch(stripped):
        return hash_phone(value, key)
    return mask_text(value)
