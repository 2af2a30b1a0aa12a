"""The pre-brief API's plain pieces (lib/api.py, lib/prebrief.py): who may listen where, and how a phone number
becomes the customer key ingestion wrote. The HTTP behaviour is tested on a real server in
tests/e2e/test_prebrief_api.py."""
import pytest

from dagster_project.lib.api import BindRefused, check_bind, is_loopback
from dagster_project.lib.pii import KEY_FILE_NAME, hash_phone
from dagster_project.lib.prebrief import customer_key_for_phone, phone_key


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("192.168.1.5", False),
                                            ("::", False), ("example.org", False)])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_without_a_token_only_loopback_and_it_says_so():
    assert "loopback" in check_bind("127.0.0.1", None) and "no CALLQA_API_TOKEN" in check_bind("127.0.0.1", None)
    with pytest.raises(BindRefused, match="without a token"):
        check_bind("0.0.0.0", None)
    assert "bearer token required" in check_bind("0.0.0.0", "t0ken")


def test_a_phone_number_becomes_the_customer_key_ingestion_wrote():
    key = b"k" * 32
    expected = "ani:" + hash_phone("+1 415-847-3174", key)
    for written in ("+1 415-847-3174", "+14158473174", "tel:+14158473174", " +1 (415) 847-3174 "):
        assert customer_key_for_phone(written, key) == expected
    assert customer_key_for_phone("415-847-3174", key) != expected  # without the country code: another caller


def test_the_phone_key_is_read_never_created(tmp_path, monkeypatch):
    monkeypatch.delenv("CALLQA_PII_KEY", raising=False)
    warehouse = tmp_path / "callqa.duckdb"
    assert phone_key(warehouse) is None and not (tmp_path / KEY_FILE_NAME).exists()
    (tmp_path / KEY_FILE_NAME).write_text("abc123\n")
    assert phone_key(warehouse) == b"abc123"
    monkeypatch.setenv("CALLQA_PII_KEY", "from-env")
    assert phone_key(warehouse) == b"from-env"


def test_the_agent_page_says_why_a_contact_has_no_expected_csat():
    """A scored contact shows its expected csat; an unscored one "n/a" with the mart's reason (escaped), not a bare
    "n/a"."""
    from dagster_project.lib.api import journey_page

    def contact(contact_id, csat, reason):
        return {"contact_id": contact_id, "started_at": "2026-03-02T09:00:00+00:00", "channel": "email",
                "queue": "billing", "outcome": "handled", "expected_csat": csat, "score_null_reason": reason,
                "pain_points": []}

    journey = {"customer_key": "ani:abc", "version": 3,
               "window": {"days": 30, "since": "2026-02-01T09:00:00+00:00", "data_end_at": "2026-03-02T09:00:00+00:00"},
               "contacts": [contact("c2", None, "channel email: no <surveyed> contact"), contact("c1", 3.456, None)],
               "risk": {"expected_csat_alert_below": 2.5, "latest_expected_csat": None, "contacts_in_window": 2,
                        "pain_points_in_window": 0, "open_alerts": 0}}
    page = journey_page(journey)
    unscored = page[page.index("data-contact-id='c2'"):page.index("data-contact-id='c1'")]
    assert "expected csat n/a <small class='why-unscored'>channel email: no &lt;surveyed&gt; contact</small>" in unscored
    scored = page[page.index("data-contact-id='c1'"):]
    assert "expected csat 3.46</span>" in scored and "why-unscored" not in scored
