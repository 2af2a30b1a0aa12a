"""Adapter raw tables reach PostgreSQL too (lib/postgres_raw.py), names and rows as in DuckDB: a column name over
63 bytes is already shortened at ingestion, so PostgreSQL never truncates one silently. Skipped without a server
(like tests/postgres/test_postgres_target.py), unless CALLQA_REQUIRE_POSTGRES=1."""
import json

import duckdb
import pytest

from dagster_project.lib.adapters import ingest_adapter
from dagster_project.lib.postgres_raw import copy_raw_layer, postgres_names
from tests.postgres.pg_helpers import scratch_database, server

LONG = "a_contact_attribute_whose_name_is_far_longer_than_postgresql_allows_for_identifiers"


def test_postgres_names_refuse_two_names_that_would_be_one():
    assert postgres_names(["a", "b"], "raw.t") == ["a", "b"]
    long_a = "x" * 70
    assert postgres_names([long_a], "raw.t")[0] != long_a[:63]
    with pytest.raises(ValueError, match="would be one name"):
        postgres_names(["same", "same"], "raw.t")


def test_adapter_raw_tables_are_copied_with_the_same_names_and_rows(tmp_path):
    postgres = server()
    landing = tmp_path / "landing"
    (landing / "amazon_connect_ctr").mkdir(parents=True)
    (landing / "amazon_connect_ctr" / "part-1").write_text("".join(json.dumps(
        {"ContactId": f"c{i}", "Channel": "VOICE", "InitiationMethod": "INBOUND",
         "InitiationTimestamp": "2024-03-01T10:00:00Z", "Attributes": {LONG: "x"}}) for i in range(3)))
    (landing / "servicenow_incidents").mkdir()
    (landing / "servicenow_incidents" / "a.csv").write_text(
        "number,incident_state,sys_mod_count,sys_updated_at,opened_at,category,category\n"
        "INC1,New,0,29/2/2016 01:23,29/2/2016 01:16,A,B\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    for name in ("amazon_connect_ctr", "servicenow_incidents"):
        assert not ingest_adapter(con, landing, name, b"k").refused

    try:
        with scratch_database(postgres) as target:
            copied = copy_raw_layer(con, target)
            assert copied["amazon_connect_ctr"] == 3 and copied["servicenow_incidents"] == 1
            pg = target.connect()
            with pg.cursor() as cur:
                for table in ("amazon_connect_ctr", "servicenow_incidents"):
                    cur.execute("select column_name from information_schema.columns where table_schema = 'raw' "
                                "and table_name = %s order by ordinal_position", [table])
                    pg_columns = [c for (c,) in cur.fetchall()]
                    duck_columns = [c for (c,) in con.execute(
                        "select column_name from information_schema.columns where table_schema = 'raw' "
                        "and table_name = ? order by ordinal_position", [table]).fetchall()]
                    assert pg_columns == duck_columns
                cur.execute('select category, category__2, _date_order from raw.servicenow_incidents')
                assert cur.fetchall() == [("A", "B", "dmy")]
            pg.close()
    finally:
        con.close()
