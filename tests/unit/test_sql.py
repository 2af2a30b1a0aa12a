"""The one identifier-quoting helper: any text is one identifier, in DuckDB as in PostgreSQL's grammar."""
import duckdb
import pytest

from dagster_project.lib.sql import identifier_key, quote_identifier


@pytest.mark.parametrize("name", ['plain', 'with "quotes"', 'x"); drop table t; --', "semi;colon'quote", '"', ""])
def test_quoted_identifier_is_the_name_itself(name):
    con = duckdb.connect()
    if name == "":
        with pytest.raises(duckdb.Error):  # DuckDB has no empty identifier: an error, never other SQL
            con.execute(f"create table t ({quote_identifier(name)} varchar)")
        return
    con.execute(f"create table t ({quote_identifier(name)} varchar)")
    con.execute(f"insert into t ({quote_identifier(name)}) values ('v')")
    assert con.execute("select column_name from information_schema.columns where table_name = 't'").fetchall() == [
        (name,)]
    assert con.execute(f"select {quote_identifier(name)} from t").fetchall() == [("v",)]
    assert con.execute("select count(*) from duckdb_tables()").fetchall() == [(1,)]


def test_nul_is_refused_and_keys_fold_ascii_case_only():
    with pytest.raises(ValueError, match="NUL"):
        quote_identifier("a\x00b")
    assert identifier_key("CALLER_Number") == identifier_key("caller_number") == "caller_number"
    assert identifier_key("É") != identifier_key("é")  # as DuckDB: only ASCII letters fold


def test_a_literal_with_quotes_stays_one_string():
    import duckdb

    from dagster_project.lib.sql import quote_literal

    text = "it's a path'; drop table t; --"
    assert duckdb.connect().execute(f"select {quote_literal(text)}").fetchall() == [(text,)]
    with pytest.raises(ValueError):
        quote_literal("a\x00b")
