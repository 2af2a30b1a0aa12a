"""Ingestion through DuckDB's readers (lib/ingest.py): the native CSV reader gives exactly the table the Python
reader gives, or leaves the file to it; the Arrow protection is the per-value rule of lib/pii.py."""
import copy
import gzip
import random

import pyarrow as pa
import pytest

from dagster_project.lib import ingest
from dagster_project.lib.ingest import ParsedFile, parsed_table, protect_columns, protect_table
from dagster_project.lib.pii import hash_phone, mask_text, protect_unnamed
from tests.unit.landing_helpers import write

KEY = b"unit-test-key"
HEADER = "id,name,note\n"

READ_NATIVELY = {
    "plain": HEADER + "1,a,x\n2,b,y\n",
    "quoted delimiter and quotes": HEADER + '1,"a, b","say ""hi"""\n2,"",z\n',
    "wrong field counts": HEADER + "1,a\n2,b,c\n3,b,c,d,e\n4,\"q,r\",s,t\n",
    "crlf": HEADER.replace("\n", "\r\n") + "1,a,x\r\n2,b\r\n",
    "no final newline, unicode": HEADER + "1,café,你好\n2,b,٣٤٥",
    "header only": HEADER,
    "trailing empty fields beyond the header (DuckDB alone would drop them)": HEADER + '1,a,x,,\n2,"b",y,\n3,c,\n',
    "quoted line breaks, then wrong field counts": HEADER + '1,"two\nlines",x\n2,b\n3,"m\nn\no",k\n'
                                                  '4,"q\r\nr",s,t\n5,u,v\n6,w\n7,"",,\n',
    "quoted crlf line breaks": HEADER.replace("\n", "\r\n") + '1,"a\r\nb",x\r\n2,b\r\n3,c,"d\r\ne\r\nf"\r\n',
}


def native_and_python(tmp_path, text: str, gz: bool = False):
    data = ("\ufeff" + text).encode()  # with a BOM, as some exporters write it
    path = write(tmp_path, "f.csv.gz" if gz else "f.csv", gzip.compress(data) if gz else data)
    decoded = ingest._decode(data, "f.csv")
    return ingest._read_csv_native(path, decoded, "f.csv"), parsed_table(ingest._read_csv(decoded, "f.csv"))


@pytest.mark.parametrize("case", READ_NATIVELY)
@pytest.mark.parametrize("gz", [False, True])
def test_duckdb_reads_the_same_table_as_the_python_reader(tmp_path, case, gz):
    native, python = native_and_python(tmp_path, READ_NATIVELY[case], gz)
    assert native is not None
    assert native.to_pylist() == python.to_pylist()


def test_wrong_field_counts_keep_their_line_reason_and_text(tmp_path):
    native, _ = native_and_python(tmp_path, READ_NATIVELY["wrong field counts"])
    got = [(r["_line"], r["id"], r["_malformed"], r["_raw_line"]) for r in native.to_pylist()]
    assert got == [(2, None, "expected 3 fields, found 2", "1,a"), (3, "2", None, None),
                   (4, None, "expected 3 fields, found 5", "3,b,c,d,e"),
                   (5, None, "expected 3 fields, found 4", "4,q,r,s,t")]


LEFT_TO_PYTHON = {
    "a header over two lines": 'id,"na\nme",note\n1,a,x\n',
    "a blank line": HEADER + "1,a,x\n\n2,b,y\n",
    "a lone carriage return": HEADER + "1,a\rb,x\n",
    "text after a closing quote (Python's reader keeps it)": HEADER + '1,"a"b,x\n',
    "a quote inside an unquoted field": HEADER + '1,5" screen,x\n',
    "blanks before an opening quote (DuckDB skips them)": HEADER + '1, "a",x\n',
    "a quote left open in the last field (DuckDB drops the field)": HEADER + '1,a,x,"\n',
    "an unterminated quote": HEADER + '1,"a,x\n',
    "a NUL": HEADER + "1,a\x00,x\n",
}


def test_lines_count_the_line_breaks_inside_quoted_fields(tmp_path):
    """DuckDB numbers records; the physical line of each is counted from the quoted line breaks before it."""
    native, _ = native_and_python(tmp_path, READ_NATIVELY["quoted line breaks, then wrong field counts"])
    got = [(r["_line"], r["id"], r["_malformed"], r["_raw_line"]) for r in native.to_pylist()]
    assert got == [(2, "1", None, None), (4, None, "expected 3 fields, found 2", "2,b"), (5, "3", None, None),
                   (8, None, "expected 3 fields, found 4", "4,q\r\nr,s,t"), (10, "5", None, None),
                   (11, None, "expected 3 fields, found 2", "6,w"), (12, None, "expected 3 fields, found 4", "7,,,")]


@pytest.mark.parametrize("case", LEFT_TO_PYTHON)
def test_files_duckdb_would_number_or_read_otherwise_are_left_to_python(tmp_path, case):
    native, _ = native_and_python(tmp_path, LEFT_TO_PYTHON[case])
    assert native is None


def test_random_files_read_natively_read_as_python_reads_them(tmp_path):
    """Small files drawn from quotes, delimiters, blanks and line breaks (seeded): wherever the native reader
    accepts a file, its table is the Python reader's."""
    rng = random.Random(14)
    pieces = ["a", "b", ",", '"', "\n", " ", "\r\n", "1", "é", '""', "\t", ",,", '"a",']
    native = 0
    for case in range(800):
        text = "x,y,z\n" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        path = write(tmp_path, f"{case}.csv", text)
        got = ingest._read_csv_native(path, text, "f.csv")
        if got is not None:
            native += 1
            assert got.to_pylist() == parsed_table(ingest._read_csv(text, "f.csv")).to_pylist(), repr(text)
    assert native > 50  # the comparison is not vacuous


def test_a_bad_header_is_refused_by_the_native_reader_as_by_python(tmp_path):
    with pytest.raises(ingest.FileRefused, match="header names column 'id' twice"):
        native_and_python(tmp_path, "id,id,note\n1,2,3\n")


VALUES = [None, "", "plain text", "ticket 12345", "call 0412 345 678 now", "me@mail.com", "+1 (212) 555 0147",
          "2026-03-08T10:00:00-05:00", "٠٤١٢٣٤٥٦٧٨", "ring ٠٤١٢ ٣٤٥ ٦٧٨", "１２３４５６７", "x@y", "a" * 300]


def test_arrow_protection_is_the_per_value_rule(tmp_path):
    """hashed: every value; masked and unnamed columns: only values the Arrow filter picks go through Python,
    and the result is value for value what pii.py gives (digits of other scripts included)."""
    parsed = ParsedFile(["phone", "comment", "extra", "named"], [[v, v, v, v] for v in VALUES],
                        list(range(2, len(VALUES) + 2)), [None] * len(VALUES), [None] * (len(VALUES) - 1) + ["a@b.co"])
    table = protect_table(parsed_table(parsed), KEY, ["phone"], ["comment"], lambda c: c == "named")
    expected = [[hash_phone(v, KEY), mask_text(v), protect_unnamed(v, KEY), v] for v in VALUES]
    assert [[r["phone"], r["comment"], r["extra"], r["named"]] for r in table.to_pylist()] == expected
    assert table["_raw_line"].to_pylist()[-1] == "<email>"
    rows = copy.deepcopy(parsed)
    protect_columns(rows, KEY, ["phone"], ["comment"], lambda c: c == "named")
    assert [list(r) for r in rows.rows] == expected  # the adapters' in-place form: the same rule


def test_protection_of_an_empty_table_keeps_its_columns():
    table = protect_table(parsed_table(ParsedFile(["phone"], [], [], [], [])), KEY, ["phone"], [], lambda c: False)
    assert table.num_rows == 0 and table.column_names == ["phone", "_line", "_malformed", "_raw_line"]
    assert table.schema.field("phone").type == pa.string()
