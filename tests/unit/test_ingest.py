"""Ingestion: every delivered row reaches raw (or the file is refused whole), as delivered, once."""
import gzip
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.lib.contract import load_contract
from dagster_project.lib.ingest import ingest_source, landing_files
from dagster_project.lib.pii import hash_phone

KEY = b"unit-test-key"
CALL_HEADER = "call_id,customer_id,caller_number,direction,arrived_at,ended_at,outcome,comment_extra\n"


@pytest.fixture
def contracts():
    return load_contract()


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("SET TimeZone='UTC'")
    yield c
    c.close()


def write(landing, rel, content, mode="w"):
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_csv_loads_every_row_as_text_with_file_and_line(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(
        landing,
        "calls/2026/day1.csv",
        CALL_HEADER
        + "0001,C1,+1 212-555-0147,inbound,2026-03-08T01:59:00-05:00,2026-03-08T03:01:00-04:00,answered,\"multi\nline, text\"\n"
        + "0002,,,inbound,2026-03-08 02:30:00,2026-03-08 02:40:00,answered,café 你好\n"
        + "\n"
        + "0003,C3\n",
    )
    result = ingest_source(con, landing, contracts["calls"], KEY)
    assert [f.status for f in result.files] == ["loaded"]
    assert result.files[0].rows == 3 and result.files[0].malformed == 1
    got = rows(con, 'select call_id, customer_id, caller_number, _file, _line, _malformed, comment_extra, _raw_line from raw.calls order by _line')
    # ids keep their leading zeros; the record after a two-line quoted field starts on line 4
    assert [(r[0], r[4]) for r in got] == [("0001", 2), ("0002", 4), (None, 6)]
    assert got[0][2] == hash_phone("+1 212-555-0147", KEY)
    assert got[1][1] is None and got[1][2] is None  # empty fields are NULL
    assert got[0][6] == "multi\nline, text" and got[1][6] == "café 你好"  # extra column kept, text intact
    assert got[2][5] == "expected 8 fields, found 2" and got[2][7] == "0003,C3"
    assert got[0][3] == "calls/2026/day1.csv"
    # contract columns nobody delivered exist (NULL), so staging can always select them
    assert rows(con, "select count(*) from raw.calls where queue is null")[0][0] == 3


def test_no_raw_phone_number_is_written(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(landing, "calls/a.csv", CALL_HEADER + "1,,+44 20 7946 0958,inbound,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,answered,\n"
          + "2,+44 20 7946 0958\n")
    ingest_source(con, landing, contracts["calls"], KEY)
    dump = " ".join(str(v) for r in rows(con, "select * from raw.calls") for v in r)
    assert "7946" not in dump and "0958" not in dump


def test_missing_required_column_refuses_the_whole_file(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(landing, "calls/a.csv", "call_id,direction,arrived_at,outcome\n1,inbound,2026-01-01T00:00:00Z,answered\n")
    write(landing, "calls/b.csv", CALL_HEADER + "2,,,inbound,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,answered,\n")
    result = ingest_source(con, landing, contracts["calls"], KEY)
    assert [f.status for f in result.files] == ["refused", "loaded"]
    assert "calls/a.csv" in result.files[0].error and "ended_at" in result.files[0].error
    assert rows(con, "select call_id from raw.calls") == [("2",)]
    assert rows(con, "select status, error like '%ended_at%' from raw._ingest_ledger where file = 'calls/a.csv'") == [("refused", True)]


def test_same_bytes_load_once_and_rerun_is_a_no_op(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    body = CALL_HEADER + "1,,,inbound,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,answered,\n"
    write(landing, "calls/a.csv", body)
    write(landing, "calls/a_copy.csv", body)
    first = ingest_source(con, landing, contracts["calls"], KEY)
    assert [f.status for f in first.files] == ["loaded", "duplicate"]
    assert "calls/a.csv" in first.files[1].error
    before = rows(con, "select count(*) from raw._ingest_ledger")[0][0]
    second = ingest_source(con, landing, contracts["calls"], KEY)
    assert [f.status for f in second.files] == ["already_loaded", "already_loaded"]
    assert rows(con, "select count(*) from raw.calls")[0][0] == 1
    assert rows(con, "select count(*) from raw._ingest_ledger")[0][0] == before


def test_empty_and_unreadable_files(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(landing, "calls/1_header_only.csv", CALL_HEADER)
    write(landing, "calls/2_zero_bytes.csv", "")
    write(landing, "calls/3_latin1.csv", CALL_HEADER.encode() + "1,,,inbound,x,y,answered,caf\xe9\n".encode("latin-1"), "wb")
    result = ingest_source(con, landing, contracts["calls"], KEY)
    assert [f.status for f in result.files] == ["empty", "empty", "refused"]
    assert "not valid UTF-8" in result.files[2].error


def test_jsonl_gz_and_csv_gz(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    lines = [
        json.dumps({"contact_id": "d1", "channel": "chat", "started_at": "2026-01-01T10:00:00+08:00",
                    "bot_handled": True, "escalated_to_agent": False, "outcome": "handled", "score": 4.5}),
        '{"contact_id": "d2", "channel": ',
        json.dumps({"contact_id": "d3", "channel": "bot", "started_at": "2026-01-01T10:00:00",
                    "bot_handled": "yes", "escalated_to_agent": "n", "outcome": "resolved_by_bot"}, ensure_ascii=False),
    ]
    write(landing, "digital_contacts/a.jsonl.gz", gzip.compress("\n".join(lines).encode()), "wb")
    result = ingest_source(con, landing, contracts["digital_contacts"], KEY)
    assert result.files[0].rows == 3 and result.files[0].malformed == 1
    got = rows(con, "select contact_id, bot_handled, escalated_to_agent, score, _line, _malformed is not null from raw.digital_contacts order by _line")
    assert got == [("d1", "true", "false", "4.5", 1, False), (None, None, None, None, 2, True), ("d3", "yes", "n", None, 3, False)]


def test_parquet_typed_columns_arrive_as_text(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    import datetime as dt
    table = pa.table({
        "event_id": ["e1"], "ticket_id": ["t1"],
        "event_at": pa.array([dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.timezone.utc)], pa.timestamp("us", tz="UTC")),
        "event_type": ["created"], "is_public": [True],
    })
    (landing / "ticket_events").mkdir(parents=True)
    pq.write_table(table, landing / "ticket_events" / "a.parquet")
    ingest_source(con, landing, contracts["ticket_events"], KEY)
    got = rows(con, "select event_id, event_at, is_public, _line from raw.ticket_events")
    assert got == [("e1", "2026-03-08 07:00:00+00", "true", 1)]


def test_free_text_is_masked(tmp_path, con, contracts):
    landing = tmp_path / "landing"
    write(landing, "surveys/a.csv", "survey_id,contact_id,responded_at,csat,comment\n"
          "s1,c1,2026-01-01T00:00:00Z,2,\"call me: 0412 345 678, or me@mail.com\"\n")
    ingest_source(con, landing, contracts["surveys"], KEY)
    assert rows(con, "select comment from raw.surveys") == [("call me: <num>, or <email>",)]


def test_delivery_order_is_sorted_relative_path(tmp_path):
    landing = tmp_path / "landing"
    for rel in ["calls/2026/02/b.csv", "calls/2026/01/z.csv", "calls/x.txt", "calls/2026/01/a.csv.gz"]:
        write(landing, rel, "")
    assert [p.relative_to(landing).as_posix() for p in landing_files(landing, "calls")] == [
        "calls/2026/01/a.csv.gz", "calls/2026/01/z.csv", "calls/2026/02/b.csv"]
