import hashlib
import hmac
import warnings

import pytest

from dagster_project.lib import pii


def test_hash_is_hmac_sha256_of_the_normalized_number():
    key = b"k"
    expected = hmac.new(key, b"+12125550147", hashlib.sha256).hexdigest()
    assert pii.hash_phone("+1 (212) 555-0147", key) == expected
    assert pii.hash_phone("+12125550147", key) == expected
    # without the '+' it is another normalized form, hence another key: numbers are not guessed at
    assert pii.hash_phone("12125550147", key) != expected


def test_hash_depends_on_the_key_and_keeps_null():
    assert pii.hash_phone("5550147", b"a") != pii.hash_phone("5550147", b"b")
    assert pii.hash_phone(None, b"a") is None


def test_dev_key_warns_loudly(monkeypatch):
    monkeypatch.delenv("CALLQA_PII_KEY", raising=False)
    with pytest.warns(pii.DevKeyWarning, match="PUBLIC development key"):
        assert pii.pii_key() == pii.DEV_DEFAULT_KEY.encode()
    monkeypatch.setenv("CALLQA_PII_KEY", "s3cret")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pii.pii_key() == b"s3cret"


@pytest.mark.parametrize(
    "text, masked",
    [
        ("call me on +1 212-555-0147 please", "call me on <num> please"),
        ("card 4111 1111 1111 1111 expired", "card <num> expired"),
        ("我的电话是13812345678，谢谢", "我的电话是<num>，谢谢"),
        ("write to jane.doe@example.com", "write to <email>"),
        ("order 12345 at 10:30, fee 25.00", "order 12345 at 10:30, fee 25.00"),
        ("terima kasih, café ok", "terima kasih, café ok"),
        (None, None),
    ],
)
def test_mask_text(text, masked):
    assert pii.mask_text(text) == masked
