"""``label_dump`` never loses a row silently: damaged compressed input, two runs on one
output, files that are one file, an earlier errors file, resume after the input or the
model changed, unterminated CSV quotes (issue 14's reproducers)."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

import netral_nlp
from netral_nlp import DamagedInputError, DataError, OutputLockedError, label_dump
from netral_nlp.batch.labeler import ChunkLabeler
from netral_nlp.batch.locks import OutputLock, lock_path
from netral_nlp.cli import main
from netral_nlp.cli.exit_status import ExitStatus

REPO = Path(__file__).resolve().parent.parent
TEXTS = ["Camat ikut kampanye paslon 02 di balai desa", "Ada bagi-bagi amplop 50rb semalam",
         "HOAKS surat suara sudah tercoblos", "Cuaca cerah hari ini"]


@pytest.fixture(scope="module")
def clf() -> netral_nlp.TopicClassifier:
    return netral_nlp.load()


def _dump(n: int, start: int = 0) -> bytes:
    return b"".join(json.dumps({"id": i, "text": f"{TEXTS[i % 4]} {i}"}).encode() + b"\n" for i in range(start, n))


def _lines(path: Path) -> list[dict]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.splitlines() if line.strip()]


# ---------------------------------------------------------------- 1. damaged compressed input
def _damaged(kind: str, raw: bytes) -> bytes:
    if kind == "zst cut in half":
        data = zstandard.ZstdCompressor(level=3).compress(raw)
        return data[: len(data) // 2]
    if kind == "zst, second frame cut":
        half = raw.index(b"\n", len(raw) // 2) + 1
        second = zstandard.ZstdCompressor().compress(raw[half:])
        return zstandard.ZstdCompressor().compress(raw[:half]) + second[: len(second) // 2]
    if kind == "zst trailing garbage":
        return zstandard.ZstdCompressor().compress(raw) + b"not zstd at all"
    data = gzip.compress(raw)
    if kind == "gz cut in half":
        return data[: len(data) // 2]
    return data + b"garbage after the last member"  # "gz trailing garbage"


@pytest.mark.parametrize("kind", ["zst cut in half", "zst, second frame cut", "zst trailing garbage",
                                  "gz cut in half", "gz trailing garbage"])
def test_damaged_compressed_input_accounts_for_the_rows_read_and_says_so(tmp_path, clf, kind):
    n = 20_000
    raw = _dump(n)
    src = tmp_path / ("in.jsonl.zst" if kind.startswith("zst") else "in.jsonl.gz")
    src.write_bytes(_damaged(kind, raw))
    with pytest.raises(DamagedInputError, match="damaged input") as caught:
        label_dump(src, tmp_path / "out.jsonl", clf, id_field="id", progress=False)
    summary = caught.value.summary
    out, errors = _lines(tmp_path / "out.jsonl"), _lines(tmp_path / "out.errors.jsonl")
    assert summary.input_damage and "cut short" in summary.input_damage or "corrupt" in summary.input_damage
    assert 0 < summary.rows_read <= n
    assert len(out) + len(errors) == summary.rows_read == summary.labelled + summary.errors
    assert [r["row"] for r in out] == list(range(1, len(out) + 1))  # every row before the damage, in order
    assert all(e["reason"].startswith("input cut short") for e in errors)  # at most the line cut in the middle
    if kind.endswith("trailing garbage"):
        assert summary.rows_read == n and not errors  # nothing was lost, but the file is still not clean


def test_cli_damaged_input_exit_status_summary_and_error_line(tmp_path, capsys):
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(_damaged("gz cut in half", _dump(5_000)))
    assert main(["label", str(src), "-o", str(tmp_path / "o.jsonl"), "-q"]) == ExitStatus.DAMAGED_INPUT == 3
    captured = capsys.readouterr()
    assert "INPUT CUT SHORT: gzip data cut short" in captured.out and "rows read" in captured.out
    assert captured.err.startswith("error: ") and "are accounted for" in captured.err
    assert "Traceback" not in captured.err
    assert (tmp_path / "o.jsonl").exists() and not (tmp_path / "o.jsonl.checkpoint.json").exists()


def test_damaged_csv_and_parquet_inputs(tmp_path, clf):
    rows = "".join(f"{i},{TEXTS[i % 4]} {i}\n" for i in range(3000))
    data = gzip.compress(("id,text\n" + rows).encode())
    (tmp_path / "in.csv.gz").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(DamagedInputError) as caught:
        label_dump(tmp_path / "in.csv.gz", tmp_path / "c.jsonl", clf, progress=False)
    s = caught.value.summary
    assert 0 < s.rows_read < 3000 and s.labelled + s.errors == s.rows_read
    buf = pa.BufferOutputStream()
    pq.write_table(pa.table({"text": TEXTS * 50}), buf)
    whole = buf.getvalue().to_pybytes()
    (tmp_path / "in.parquet").write_bytes(whole[:-100])
    with pytest.raises(DamagedInputError, match="damaged Parquet file"):
        label_dump(tmp_path / "in.parquet", tmp_path / "p.jsonl", clf, progress=False)
    assert main(["label", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "p2.jsonl"), "-q"]) == 3


# ---------------------------------------------------------------- 2. one run per output
def test_second_run_on_the_same_output_is_refused_naming_the_holder(tmp_path, clf, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_dump(12_000))
    dst = tmp_path / "out.jsonl"
    first = subprocess.Popen([sys.executable, "-m", "netral_nlp", "label", str(src), "-o", str(dst), "-q", "--json",
                              "--workers", "1", "--chunk-size", "100"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=REPO)
    deadline = time.time() + 60
    while not (tmp_path / "out.jsonl.partial").exists():
        assert first.poll() is None and time.time() < deadline, first.communicate()
        time.sleep(0.02)
    with pytest.raises(OutputLockedError, match=f"another run is writing this output \\(pid {first.pid} on host"):
        label_dump(src, dst, clf, overwrite=True, progress=False)  # before: deleted the first run's partial file
    assert main(["label", str(src), "-o", str(dst), "-q", "--overwrite"]) == ExitStatus.LOCKED == 4
    assert f"pid {first.pid}" in capsys.readouterr().err
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert json.loads(out)["labelled"] == len(_lines(dst)) == 12_000
    assert not lock_path(dst).exists() and not lock_path(tmp_path / "out.errors.jsonl").exists()


def test_a_shared_errors_file_is_locked_too(tmp_path, clf):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_dump(10))
    with OutputLock([tmp_path / "shared.errors.jsonl"]):
        with pytest.raises(OutputLockedError, match=f"pid {os.getpid()}"):
            label_dump(src, tmp_path / "b.jsonl", clf, errors_path=tmp_path / "shared.errors.jsonl", progress=False)
    label_dump(src, tmp_path / "b.jsonl", clf, errors_path=tmp_path / "shared.errors.jsonl", progress=False)


def test_a_lock_left_by_a_dead_process_does_not_block(tmp_path, clf):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_dump(10))
    dst = tmp_path / "out.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path\n"
                               "from netral_nlp.batch.locks import OutputLock\n"
                               f"OutputLock([Path({str(dst)!r})]).acquire(); print('held', flush=True); "
                               "time.sleep(60)"],
                              stdout=subprocess.PIPE, cwd=REPO)
    assert holder.stdout.readline().strip() == b"held"
    with pytest.raises(OutputLockedError, match=f"pid {holder.pid}"):
        label_dump(src, dst, clf, progress=False)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_path(dst).exists()  # left behind, with the dead holder's record
    assert label_dump(src, dst, clf, progress=False).labelled == 10
    assert not lock_path(dst).exists()


# ---------------------------------------------------------------- 3./4. files that are one file
def test_two_roles_on_one_file_are_refused_before_reading(tmp_path, clf):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_dump(19))
    out = tmp_path / "out.jsonl"
    with pytest.raises(DataError, match="the output and the errors file are the same file"):
        label_dump(src, out, clf, errors_path=out, progress=False)  # before: exit 0, 10 lines for 19 rows
    (tmp_path / "link.jsonl").symlink_to(out)
    with pytest.raises(DataError, match="the output and the errors file are the same file"):
        label_dump(src, out, clf, errors_path=tmp_path / "link.jsonl", progress=False)
    os.link(src, tmp_path / "hard.jsonl")
    with pytest.raises(DataError, match="the input and the output are the same file"):
        label_dump(src, tmp_path / "hard.jsonl", clf, overwrite=True, progress=False)
    with pytest.raises(DataError, match="the input and the errors file"):
        label_dump(src, out, clf, errors_path=src, progress=False)
    with pytest.raises(DataError, match="the errors file and the checkpoint"):
        label_dump(src, out, clf, errors_path=tmp_path / "out.jsonl.checkpoint.json", progress=False)
    assert not out.exists() and src.read_bytes() == _dump(19)
    assert main(["label", str(src), "-o", str(out), "--errors", str(out), "-q"]) == 2


def test_an_existing_errors_file_is_never_replaced_without_overwrite(tmp_path, clf):
    (tmp_path / "a.jsonl").write_bytes(b'{"text": "x"}\n{bad\n')
    (tmp_path / "b.csv").write_text("text\nhalo\n")
    label_dump(tmp_path / "a.jsonl", tmp_path / "out.jsonl", clf, progress=False)
    errors = (tmp_path / "out.errors.jsonl").read_bytes()
    assert b"invalid JSON" in errors
    with pytest.raises(DataError, match="an errors file already exists"):  # before: emptied silently
        label_dump(tmp_path / "b.csv", tmp_path / "out.parquet", clf, progress=False)
    assert (tmp_path / "out.errors.jsonl").read_bytes() == errors and not (tmp_path / "out.parquet").exists()
    label_dump(tmp_path / "b.csv", tmp_path / "out.parquet", clf, errors_path=tmp_path / "b.errors.jsonl",
               progress=False)
    label_dump(tmp_path / "b.csv", tmp_path / "out.parquet", clf, overwrite=True, progress=False)
    assert (tmp_path / "out.errors.jsonl").read_bytes() == b""


# ---------------------------------------------------------------- 9. resume checks content
def _interrupt_after(monkeypatch, calls: int) -> None:
    original = ChunkLabeler.__call__
    seen = [0]

    def interrupted(self, chunk):
        seen[0] += 1
        if seen[0] > calls:
            raise KeyboardInterrupt
        return original(self, chunk)

    monkeypatch.setattr(ChunkLabeler, "__call__", interrupted)


def test_resume_refuses_a_same_size_edit_with_the_time_restored(tmp_path, monkeypatch):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    raw = _dump(3000)
    src.write_bytes(raw)
    _interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        label_dump(src, dst, "default", workers=1, chunk_size=200, checkpoint_rows=200, progress=False)
    monkeypatch.undo()
    st = src.stat()
    src.write_bytes(raw.replace(b"Cuaca cerah", b"Bagi amplop"))  # same size
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(DataError, match=r"cannot resume: the input's content \(first or last MiB\) changed"):
        label_dump(src, dst, "default", workers=1, resume=True, progress=False)  # before: resumed silently
    src.write_bytes(raw)
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    summary = label_dump(src, dst, "default", workers=1, resume=True, progress=False)
    assert summary.resumed_rows > 0 and [r["row"] for r in _lines(dst)] == list(range(1, 3001))


def test_resume_refuses_a_changed_model_folder(tmp_path, monkeypatch, clf):
    model = clf.save_pretrained(tmp_path / "model")
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_dump(2000))
    _interrupt_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        label_dump(src, dst, model, workers=1, chunk_size=200, checkpoint_rows=200, progress=False)
    monkeypatch.undo()
    cfg = json.loads((model / "netral_config.json").read_text())
    cfg["thresholds"]["hoaks"] = 0.1  # a retuned model in the same folder
    (model / "netral_config.json").write_text(json.dumps(cfg))
    with pytest.raises(DataError, match=r"the model's files \(config, weights or vocabulary\) changed"):
        label_dump(src, dst, model, workers=1, resume=True, progress=False)


def test_a_checkpoint_from_before_the_digests_still_resumes(tmp_path, monkeypatch):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(_dump(1000))
    _interrupt_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        label_dump(src, dst, "default", workers=1, chunk_size=200, checkpoint_rows=200, progress=False)
    monkeypatch.undo()
    ckpt_path = tmp_path / "out.jsonl.checkpoint.json"
    ckpt = json.loads(ckpt_path.read_text())
    for key in ("src_digest", "model_digest"):
        del ckpt["options"][key]
    ckpt_path.write_text(json.dumps(ckpt))
    assert label_dump(src, dst, "default", workers=1, resume=True, progress=False).rows_read == 1000


# ---------------------------------------------------------------- 11. unterminated CSV quote
def test_unterminated_csv_quote_is_reported_with_the_lines_it_swallowed(tmp_path, clf):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,"halo semua\n2,kampanye di masjid\n3,amplop 50rb\n4,cuaca cerah\n')
    s = label_dump(src, tmp_path / "o.jsonl", clf, id_field="id", progress=False)
    errors = _lines(tmp_path / "o.errors.jsonl")
    assert (s.labelled, s.errors) == (0, 1)  # before: labelled as one text of four lines
    assert errors[0]["reason"] == ("unterminated CSV quote: a quote opened on line 2 is never closed; lines 2-5 "
                                   "(to the end of the file) were read as this one record")
    assert s.error_reasons == {"unterminated CSV quote": 1}
    src.write_bytes(b'id,text\n1,"caf\xe9 ok\n2,kampanye\n3,"amplop" lagi\n4,x\n')
    label_dump(src, tmp_path / "o2.jsonl", clf, id_field="id", progress=False)
    reasons = [e["reason"] for e in _lines(tmp_path / "o2.errors.jsonl")]
    assert reasons == ["unterminated CSV quote: a quote opened on line 2 is only closed on line 4; lines 2-4 were "
                       "read as this one record"]  # before: "invalid UTF-8"
    assert [r["id"] for r in _lines(tmp_path / "o2.jsonl")] == ["4"]
    src.write_bytes(b'id,text\n1,"halo\n2,kampanye\n3,x",y\n4,z\n')
    label_dump(src, tmp_path / "o3.jsonl", clf, id_field="id", progress=False)
    assert [e["reason"] for e in _lines(tmp_path / "o3.errors.jsonl")] == [
        "unterminated CSV quote: a quote opened on line 2 is only closed on line 4; lines 2-4 were read as this one "
        "record of 3 fields (header has 2)"]


def test_a_legitimate_multi_line_quoted_field_is_still_labelled(tmp_path, clf):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,"baris satu\nbaris ""dua"" di balai desa"\n2,amplop\n')
    s = label_dump(src, tmp_path / "o.jsonl", clf, id_field="id", progress=False)
    assert (s.labelled, s.errors) == (2, 0)


def test_label_help_lists_every_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["label", "--help"])
    text = capsys.readouterr().out
    for status in ExitStatus:
        assert f"\n  {int(status):<4} " in text, status
