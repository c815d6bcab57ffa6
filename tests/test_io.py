"""Streaming readers and writers of batch labelling (netral_nlp.batch.readers, netral_nlp.batch.writers)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from netral_nlp.batch import RowError
from netral_nlp.errors import DataError
from netral_nlp.batch.readers import csv_header, detect_input, read_chunks
from netral_nlp.batch.writers import ByteSink, OutputLayout, ParquetSink, compress, detect_output, encode_rows, parquet_schema

LINES = [b'{"id": 1, "text": "satu"}\n', b"\n", b'{"id": 2, "text": "dua"}\n', b"{broken\n", b'{"id": 4, "text": "empat"}']


def _all(chunks):
    rows, items, blank, last = [], [], 0, None
    for c in chunks:
        rows += c.rows
        items += c.items
        blank += c.blank
        last = c
    return rows, items, blank, last


def _write(path: Path, data: bytes, compression: str | None) -> Path:
    if compression == "gzip":
        data = gzip.compress(data)
    elif compression == "zstd":
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("compression,suffix", [(None, ".jsonl"), ("gzip", ".jsonl.gz"), ("zstd", ".jsonl.zst")])
def test_jsonl_rows_are_line_numbers_in_every_compression(tmp_path, compression, suffix):
    info = detect_input(_write(tmp_path / f"d{suffix}", b"".join(LINES), compression))
    assert (info.fmt, info.compression) == ("jsonl", compression)
    rows, items, blank, last = _all(read_chunks(info, None, 2))
    assert rows == [1, 3, 4, 5]
    assert blank == 1
    assert items[0] == LINES[0] and items[2] == b"{broken\n" and items[3] == LINES[4]
    assert last.position == {"offset": len(b"".join(LINES)), "next_row": 6}


@pytest.mark.parametrize("compression", [None, "gzip", "zstd"])
def test_jsonl_resumes_from_a_chunk_position(tmp_path, compression):
    info = detect_input(_write(tmp_path / "d.jsonl", b"".join(LINES), compression))
    first = next(iter(read_chunks(info, None, 1)))
    assert first.rows == [1]
    rows, items, _, _ = _all(read_chunks(info, first.position, 10))
    assert rows == [3, 4, 5] and items[0] == LINES[2]


def test_magic_bytes_win_over_the_name(tmp_path):
    path = tmp_path / "dump.jsonl"  # gzip content without a .gz suffix
    path.write_bytes(gzip.compress(b'{"text": "x"}\n'))
    info = detect_input(path)
    assert info.compression == "gzip"
    assert _all(read_chunks(info, None, 5))[1] == [b'{"text": "x"}\n']
    plain = tmp_path / "dump.jsonl.gz"  # a .gz name but plain content
    plain.write_bytes(b'{"text": "y"}\n')
    assert detect_input(plain).compression is None


def test_concatenated_zstd_frames_and_gzip_members_read_as_one_stream(tmp_path):
    z = tmp_path / "multi.jsonl.zst"
    z.write_bytes(compress(b'{"text": "a"}\n', "zstd") + compress(b'{"text": "b"}\n', "zstd"))
    g = tmp_path / "multi.jsonl.gz"
    g.write_bytes(compress(b'{"text": "a"}\n', "gzip") + compress(b'{"text": "b"}\n', "gzip"))
    for path in (z, g):
        assert _all(read_chunks(detect_input(path), None, 10))[0] == [1, 2]


def test_unknown_format_and_missing_file_are_clear_errors(tmp_path):
    odd = tmp_path / "dump.bin"
    odd.write_bytes(b"{}")
    with pytest.raises(DataError, match="cannot tell the input format"):
        detect_input(odd)
    assert detect_input(odd, "jsonl").fmt == "jsonl"
    with pytest.raises(FileNotFoundError):
        detect_input(tmp_path / "nope.jsonl")
    with pytest.raises(IsADirectoryError):
        detect_input(tmp_path)
    fake = tmp_path / "x.parquet"
    fake.write_bytes(b"not parquet")
    with pytest.raises(DataError, match="not a Parquet file"):
        detect_input(fake)


def test_overlong_line_is_an_error_row_and_reading_continues(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"text": "a"}\n' + b'{"text": "' + b"x" * 5000 + b'"}\n' + b'{"text": "c"}\n')
    rows, items, _, last = _all(read_chunks(detect_input(path), None, 10, max_line_bytes=1000))
    assert rows == [1, 2, 3]
    assert isinstance(items[1], RowError) and "line too long" in items[1].reason
    assert items[2] == b'{"text": "c"}\n'
    assert last.position["offset"] == path.stat().st_size


def test_csv_multiline_fields_bom_bad_rows_and_invalid_utf8(tmp_path):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "title", "content"])
    w.writerow(["1", "Judul", "baris satu\nbaris dua"])
    w.writerow(["2", "kurang"])
    w.writerow([])
    w.writerow(["3", "", "isi"])
    data = b"\xef\xbb\xbf" + buf.getvalue().encode() + b"4,caf\xe9,isi\n"
    path = tmp_path / "d.csv"
    path.write_bytes(data)
    info = detect_input(path)
    assert csv_header(info) == ["id", "title", "content"]
    rows, items, blank, last = _all(read_chunks(info, None, 2))
    assert rows == [1, 2, 3, 4] and blank == 1
    assert items[0] == {"id": "1", "title": "Judul", "content": "baris satu\nbaris dua"}
    assert isinstance(items[1], RowError) and "wrong number of CSV fields" in items[1].reason
    assert items[2] == {"id": "3", "title": "", "content": "isi"}
    assert isinstance(items[3], RowError) and "invalid UTF-8" in items[3].reason
    # resume after the first chunk: the header travels in the position
    first = next(iter(read_chunks(info, None, 1)))
    assert _all(read_chunks(info, first.position, 10))[0] == [2, 3, 4]
    assert last.position["offset"] == len(data)


def test_tsv_and_gzip_csv(tmp_path):
    path = tmp_path / "d.tsv.gz"
    path.write_bytes(gzip.compress(b"id\ttext\n1\tsatu, dua\n"))
    info = detect_input(path)
    assert (info.fmt, info.compression) == ("tsv", "gzip")
    assert _all(read_chunks(info, None, 10))[1] == [{"id": "1", "text": "satu, dua"}]


def test_csv_header_errors(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("text,text\na,b\n")
    with pytest.raises(DataError, match="duplicate CSV column"):
        list(read_chunks(detect_input(dup), None, 10))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="missing or non-UTF-8 CSV header"):
        list(read_chunks(detect_input(empty), None, 10))


@pytest.mark.parametrize("wrap", [None, "gzip", "zstd"])
def test_parquet_reads_by_row_groups_and_resumes_mid_group(tmp_path, wrap):
    table = pa.table({"id": list(range(25)), "text": [f"t{i}" for i in range(25)], "n": [1.5] * 25})
    raw = tmp_path / "plain.parquet"
    pq.write_table(table, raw, row_group_size=10)
    path = raw if wrap is None else _write(tmp_path / "w.parquet", raw.read_bytes(), wrap)
    info = detect_input(path)
    assert info.fmt == "parquet" and info.compression == wrap
    rows, items, _, last = _all(read_chunks(info, None, 4, columns=["text"]))
    assert rows == list(range(1, 26)) and items[3] == {"text": "t3"}
    assert last.position == {"offset": 25, "next_row": 26}
    rows, items, _, _ = _all(read_chunks(info, {"offset": 13}, 4))
    assert rows == list(range(14, 26)) and items[0] == {"id": 13, "text": "t13", "n": 1.5}


def test_detect_output_names():
    assert detect_output(Path("o.jsonl")) == ("jsonl", None)
    assert detect_output(Path("o.csv.gz")) == ("csv", "gzip")
    assert detect_output(Path("o.ndjson.zst")) == ("jsonl", "zstd")
    assert detect_output(Path("o.parquet")) == ("parquet", None)
    assert detect_output(Path("o.out"), "tsv") == ("tsv", None)
    with pytest.raises(DataError, match="cannot tell the output format"):
        detect_output(Path("o.txt"))
    with pytest.raises(DataError, match="Parquet is compressed internally"):
        detect_output(Path("o.parquet.gz"))


ROWS = [[1, "a", (("hoaks",), (0.1, 0.9)), False, {"id": "a", "text": "x"}],
        [3, None, ((), (0.0, 0.0)), True, {"id": None, "text": "y\ud800"}]]


def test_jsonl_encoding_escapes_lone_surrogates_instead_of_failing():
    layout = OutputLayout("jsonl", ("politik_uang", "hoaks"), with_id=True, keep="record")
    lines = encode_rows(layout, ROWS).decode("utf-8").splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    assert first == {"row": 1, "id": "a", "labels": ["hoaks"], "scores": {"politik_uang": 0.1, "hoaks": 0.9},
                     "input": {"id": "a", "text": "x"}}
    assert second["truncated"] is True and second["input"]["text"] == "y\ud800"


def test_csv_and_parquet_encodings_share_columns():
    layout = OutputLayout("csv", ("politik_uang", "hoaks"), with_id=True, keep="columns", keep_columns=("text",))
    header = layout.header().decode().strip().split(",")
    assert header == ["row", "id", "labels", "score_politik_uang", "score_hoaks", "truncated", "input.text"]
    body = list(csv.reader(io.StringIO(encode_rows(layout, ROWS[:1]).decode())))
    assert body == [["1", "a", "hoaks", "0.1", "0.9", "false", "x"]]
    pl = OutputLayout("parquet", ("politik_uang", "hoaks"), with_id=True, keep="columns", keep_columns=("text",))
    cols = encode_rows(pl, ROWS[:1])
    assert list(cols) == header
    assert pa.Table.from_pydict(cols, schema=parquet_schema(pl)).num_rows == 1


def test_compressed_chunks_concatenate_to_a_valid_stream():
    parts = [compress(b"a\n", "gzip"), compress(b"b\n", "gzip")]
    assert gzip.decompress(b"".join(parts)) == b"a\nb\n"
    assert compress(b"", "gzip") == b""


def test_byte_sink_truncates_to_checkpoint_and_refuses_a_short_file(tmp_path):
    path = tmp_path / "o.partial"
    sink = ByteSink(path)
    sink.write(b"abc")
    offset = sink.sync()
    sink.write(b"garbage after the checkpoint")
    sink.close()
    again = ByteSink(path, offset)
    again.write(b"def")
    again.close()
    assert path.read_bytes() == b"abcdef"
    with pytest.raises(DataError, match="shorter than the checkpoint"):
        ByteSink(path, 100)


def test_parquet_sink_drops_parts_after_the_checkpoint_and_merges(tmp_path):
    layout = OutputLayout("parquet", ("politik_uang", "hoaks"))
    schema = parquet_schema(layout)
    sink = ParquetSink(tmp_path / "o.parts", schema)
    sink.write(encode_rows(layout, ROWS[:1]))
    assert sink.sync() == 1
    sink.write(encode_rows(layout, ROWS[1:]))
    assert sink.sync() == 2
    sink.close()
    resumed = ParquetSink(tmp_path / "o.parts", schema, resume_parts=1)  # checkpoint said 1 part
    assert resumed.parts == 1
    resumed.write(encode_rows(layout, ROWS[1:]))
    resumed.sync()
    resumed.merge_into(tmp_path / "o.parquet")
    assert pq.read_table(tmp_path / "o.parquet").column("row").to_pylist() == [1, 3]
    assert not (tmp_path / "o.parts").exists()
