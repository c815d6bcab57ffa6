"""``label_dump`` / ``netral-nlp label``: formats, fields, error rows, the duplicate cache,
resume after a real kill, and the CLI."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import netral_nlp
from netral_nlp import DataError, TopicClassifier, label_dump
from netral_nlp.cli import main
from netral_nlp.models.fastlinear import FastLinearScorer, make_scorer

REPO = Path(__file__).resolve().parent.parent
TEXTS = [
    "Camat ikut kampanye paslon 02 di balai desa, pakai baju dinas",
    "Ada bagi-bagi amplop 50rb semalam sebelum pencoblosan di RT kami",
    "HOAKS: surat suara sudah tercoblos di pelabuhan, jangan percaya",
    "Dasar etnis itu tidak pantas memimpin daerah ini",
    "Baliho caleg dipaku di pohon sepanjang jalan raya",
    "Cuaca cerah hari ini, semoga panen lancar",
]


@pytest.fixture(scope="module")
def clf() -> TopicClassifier:
    return netral_nlp.load()


def _jsonl(path: Path, records: list, raw_lines: list[bytes] = ()) -> Path:
    with open(path, "wb") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
        for line in raw_lines:
            fh.write(line)
    return path


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_labels_and_scores_match_predict(tmp_path, clf):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"p{i}", "text": t} for i, t in enumerate(TEXTS)])
    summary = label_dump(src, tmp_path / "out.jsonl", clf, id_field="id", progress=False)
    out = _read_jsonl(tmp_path / "out.jsonl")
    preds = clf.predict(TEXTS)
    assert [r["id"] for r in out] == [f"p{i}" for i in range(len(TEXTS))]
    assert [r["row"] for r in out] == list(range(1, len(TEXTS) + 1))
    for rec, pred in zip(out, preds):
        assert rec["labels"] == pred.labels
        for topic, score in pred.scores.items():
            assert rec["scores"][topic] == pytest.approx(score, abs=6e-5)
    assert (summary.rows_read, summary.labelled, summary.errors) == (6, 6, 0)
    assert (tmp_path / "out.errors.jsonl").read_bytes() == b""
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob("*.checkpoint.json"))


def test_fast_scorer_equals_the_model(clf):
    texts = [clf.normalizer(r["text"]) for r in netral_nlp.iter_corpus()]
    texts = [t for t in texts if t]
    scorer = make_scorer(clf)
    assert isinstance(scorer, FastLinearScorer)
    fast, slow = scorer(texts), clf._predict_scores(texts)
    assert np.abs(fast - slow).max() < 1e-5
    assert clf.decide(fast) == clf.decide(slow)


def test_every_row_is_accounted_for(tmp_path, clf):
    records = [{"id": 1, "text": TEXTS[0]}, {"id": 2, "text": None}, {"id": 3}, {"id": 4, "text": 42},
               {"id": 5, "text": ""}, {"id": 6, "text": ["a"]}]
    raw = [b"\n", b"{not json\n", b"[1, 2]\n", b'{"id": 9, "text": "caf\xff"}\n', b"   \n", b'{"id": 10, "text": "ok"}']
    src = _jsonl(tmp_path / "in.jsonl", records, raw)
    summary = label_dump(src, tmp_path / "out.jsonl", clf, id_field="id", progress=False)
    out = _read_jsonl(tmp_path / "out.jsonl")
    errors = _read_jsonl(tmp_path / "out.errors.jsonl")
    assert sorted([r["row"] for r in out] + [e["row"] for e in errors]) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12]
    assert summary.rows_read == 10 and summary.blank_lines == 2
    assert summary.labelled + summary.errors == summary.rows_read
    reasons = {e["row"]: e["reason"] for e in errors}
    assert reasons[2] == "missing text: field 'text' is null"
    assert reasons[3] == "missing text: no field 'text'"
    assert reasons[4] == "text not a string: field 'text' is int"
    assert reasons[6] == "text not a string: field 'text' is list"
    assert reasons[8].startswith("invalid JSON:")
    assert reasons[9] == "not a JSON object: got list"
    assert reasons[10].startswith("invalid UTF-8:")
    assert {e["row"]: e["id"] for e in errors}[4] == 4
    empty = next(r for r in out if r["row"] == 5)
    assert empty["labels"] == [] and set(empty["scores"].values()) == {0.0}
    assert summary.error_reasons == {"missing text": 2, "text not a string": 2, "invalid JSON": 1,
                                     "not a JSON object": 1, "invalid UTF-8": 1}


class CountingModel(TopicClassifier):
    """A stand-in model recording every text it is asked to score."""

    model_type = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _predict_scores(self, texts, batch_size=None):
        self.seen.extend(texts)
        return np.array([[min(1.0, len(t) / 100), 0.2, 0.3, 0.9 if "etnis" in t else 0.1, 0.0] for t in texts])

    def save_pretrained(self, path):  # pragma: no cover - not needed here
        raise NotImplementedError


def test_each_distinct_normalised_text_is_scored_once(tmp_path):
    base = TEXTS[0]
    variants = [base, base, f"RT @budi: {base}", f"{base} https://t.co/abc", f"{base} https://t.co/xyz", base.upper()]
    records = [{"text": t} for t in variants * 50 + TEXTS]
    src = _jsonl(tmp_path / "in.jsonl", records)
    model = CountingModel()  # (no prevalence estimate: it would score the corpus dev split with this model)
    summary = label_dump(src, tmp_path / "out.jsonl", model, chunk_size=64, progress=False, prevalence=None)
    assert sorted(model.seen) == sorted(set(model.seen))  # nothing scored twice
    assert len(model.seen) == len({model.normalizer(t) for t in variants + TEXTS})
    assert summary.cached == summary.rows_read - len(model.seen)
    out = _read_jsonl(tmp_path / "out.jsonl")
    assert out[0]["scores"] == out[1]["scores"] == out[300]["scores"]
    # disabling the cache changes nothing in the output
    model2 = CountingModel()
    label_dump(src, tmp_path / "nocache.jsonl", model2, cache_size=0, chunk_size=64, progress=False, prevalence=None)
    assert (tmp_path / "nocache.jsonl").read_bytes() == (tmp_path / "out.jsonl").read_bytes()
    assert len(model2.seen) > len(model.seen)


def test_nested_and_joined_fields(tmp_path, clf):
    records = [
        {"post": {"title": "Amplop", "body": "bagi-bagi amplop 50rb"}, "entities": [{"text": "kampanye di masjid"}]},
        {"post": {"title": None, "body": "surat suara tercoblos"}, "entities": []},
        {"post": {"title": 5, "body": "x"}},
        {"post": {}},
    ]
    src = _jsonl(tmp_path / "in.jsonl", records)
    label_dump(src, tmp_path / "o.jsonl", clf, text_field=["post.title", "post.body"], progress=False)
    out, errors = _read_jsonl(tmp_path / "o.jsonl"), _read_jsonl(tmp_path / "o.errors.jsonl")
    assert [r["row"] for r in out] == [1, 2]
    assert out[0]["labels"] == clf.predict("Amplop\nbagi-bagi amplop 50rb").labels
    assert out[1]["labels"] == clf.predict("surat suara tercoblos").labels
    assert [e["reason"] for e in errors] == [
        "text not a string: field 'post.title' is int",
        "missing text: none of the fields ['post.title', 'post.body'] has a value",
    ]
    label_dump(src, tmp_path / "e.jsonl", clf, text_field="entities.0.text", progress=False)
    assert [r["row"] for r in _read_jsonl(tmp_path / "e.jsonl")] == [1]


@pytest.mark.parametrize("dst_name", ["o.jsonl", "o.jsonl.gz", "o.csv", "o.tsv.zst", "o.parquet"])
@pytest.mark.parametrize("src_kind", ["jsonl.gz", "csv", "parquet"])
def test_formats_agree(tmp_path, clf, src_kind, dst_name):
    import pandas as pd

    frame = pd.DataFrame({"id": [f"x{i}" for i in range(len(TEXTS))], "text": TEXTS})
    src = tmp_path / f"in.{src_kind}"
    if src_kind == "csv":
        frame.to_csv(src, index=False)
    elif src_kind == "parquet":
        frame.to_parquet(src)
    else:
        with gzip.open(src, "wt", encoding="utf-8") as fh:
            frame.to_json(fh, orient="records", lines=True, force_ascii=False)
    dst = tmp_path / dst_name
    summary = label_dump(src, dst, clf, id_field="id", progress=False)
    assert summary.labelled == len(TEXTS)
    if dst_name.endswith(".parquet"):
        got = pq.read_table(dst).to_pandas()
    elif ".csv" in dst_name or ".tsv" in dst_name:
        got = pd.read_csv(dst, sep="\t" if ".tsv" in dst_name else ",", keep_default_na=False)
    else:
        got = pd.DataFrame(_read_jsonl(dst))
    labels = [x if isinstance(x, str) else ";".join(x) for x in got["labels"]]  # CSV keeps "a;b"
    assert labels == [";".join(p.labels) for p in clf.predict(TEXTS)]
    assert list(got["id"]) == list(frame["id"])


def test_keep_fields_and_truncation(tmp_path, clf):
    long_text = "bagi-bagi amplop " * 200
    src = _jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": long_text, "user": {"name": "a"}}, {"id": 2, "text": "x"}])
    s = label_dump(src, tmp_path / "o.jsonl", clf, keep_fields=True, max_text_chars=100, progress=False)
    out = _read_jsonl(tmp_path / "o.jsonl")
    assert out[0]["truncated"] is True and "truncated" not in out[1] and s.truncated == 1
    assert out[0]["input"] == {"id": 1, "text": long_text, "user": {"name": "a"}}
    assert out[0]["labels"] == clf.predict(long_text[:100]).labels
    label_dump(src, tmp_path / "p.parquet", clf, keep_fields=True, progress=False)
    table = pq.read_table(tmp_path / "p.parquet")
    assert json.loads(table.column("input")[1].as_py()) == {"id": 2, "text": "x"}


def test_existing_output_checkpoint_and_option_checks(tmp_path, clf):
    src = _jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    dst = tmp_path / "o.jsonl"
    label_dump(src, dst, clf, progress=False)
    with pytest.raises(DataError, match="already exists"):
        label_dump(src, dst, clf, progress=False)
    with pytest.raises(DataError, match="complete"):
        label_dump(src, dst, clf, resume=True, progress=False)
    label_dump(src, dst, clf, overwrite=True, progress=False)
    with pytest.raises(DataError, match="the input and the output are the same file"):
        label_dump(src, src, clf, input_format="jsonl", overwrite=True, progress=False)
    pq.write_table(_table(), tmp_path / "t.parquet")
    with pytest.raises(DataError, match="no column 'body'"):  # known columns are checked up front
        label_dump(tmp_path / "t.parquet", tmp_path / "y.jsonl", clf, text_field="body", progress=False)
    with pytest.raises(ValueError, match="workers"):
        label_dump(src, tmp_path / "w.jsonl", CountingModel(), workers=2, progress=False)


def _table():
    import pyarrow as pa

    return pa.table({"text": ["a"]})


def test_workers_give_the_same_output_as_one_process(tmp_path, clf):
    records = [{"id": i, "text": f"{TEXTS[i % len(TEXTS)]} nomor {i}"} for i in range(3000)]
    src = _jsonl(tmp_path / "in.jsonl", records, [b"{bad\n"])
    one = label_dump(src, tmp_path / "one.jsonl", clf, id_field="id", workers=1, chunk_size=300, progress=False)
    two = label_dump(src, tmp_path / "two.jsonl", clf, id_field="id", workers=2, chunk_size=300, progress=False)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert (tmp_path / "one.errors.jsonl").read_bytes() == (tmp_path / "two.errors.jsonl").read_bytes()
    assert (one.rows_read, one.errors, two.workers) == (3001, 1, 2)


# ---------------------------------------------------------------- resume after a real interruption
N_RESUME = 12_000


@pytest.fixture(scope="module")
def resume_src(tmp_path_factory) -> tuple[Path, bytes, bytes]:
    """A dump and the output of an uninterrupted run over it."""
    base = tmp_path_factory.mktemp("resume")
    records = [{"id": i, "text": f"{TEXTS[i % len(TEXTS)]} #{i % 997}"} for i in range(N_RESUME)]
    src = _jsonl(base / "in.jsonl", records, [b"{oops\n"])
    ref = label_dump(src, base / "ref.jsonl", "default", id_field="id", workers=1, progress=False)
    (base / "ref.summary.json").write_text(json.dumps(ref.to_dict()))
    return src, (base / "ref.jsonl").read_bytes(), (base / "ref.errors.jsonl").read_bytes()


def _start(src: Path, dst: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "netral_nlp", "label", str(src), "-o", str(dst), "--id-field", "id", "-q",
           "--chunk-size", "200", "--checkpoint-rows", "1000", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_for_checkpoint(proc: subprocess.Popen, ckpt: Path) -> None:
    deadline = time.time() + 60
    while not ckpt.exists():
        assert proc.poll() is None, f"run ended before a checkpoint: {proc.communicate()}"
        assert time.time() < deadline, "no checkpoint within 60 s"
        time.sleep(0.01)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_resume_after_kill_9_equals_an_uninterrupted_run(tmp_path, resume_src, capsys):
    src, ref, ref_err = resume_src
    dst = tmp_path / "out.jsonl"
    proc = _start(src, dst, "--workers", "2")
    _wait_for_checkpoint(proc, tmp_path / "out.jsonl.checkpoint.json")
    time.sleep(0.2)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not dst.exists() and (tmp_path / "out.jsonl.partial").exists()
    done = json.loads((tmp_path / "out.jsonl.checkpoint.json").read_text())["counters"]["rows_read"]
    assert 0 < done < N_RESUME
    deadline = time.time() + 10  # orphaned workers notice the parent is gone and exit
    while any(Path(f"/proc/{w}").exists() and "zombie" not in _state(w) for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if Path(f"/proc/{w}").exists() and "zombie" not in _state(w)]
    assert (tmp_path / "out.jsonl.lock").exists()  # the dead run's lock file does not block the resume
    assert main(["label", str(src), "-o", str(dst), "--id-field", "id", "--json", "--resume"]) == 0
    assert dst.read_bytes() == ref
    assert (tmp_path / "out.errors.jsonl").read_bytes() == ref_err
    # the topic shares cover the rows done before the kill too (the checkpoint carries the score histogram)
    resumed = json.loads(capsys.readouterr().out)["prevalence"]
    expected = json.loads((src.parent / "ref.summary.json").read_text())["prevalence"]
    assert resumed["rows"] == expected["rows"]
    for got, want in zip(resumed["topics"], expected["topics"]):
        assert got["flagged"] == want["flagged"]
        assert [got[k] for k in ("share", "low", "high")] == pytest.approx([want[k] for k in ("share", "low", "high")])
    assert not (tmp_path / "out.jsonl.checkpoint.json").exists() and not (tmp_path / "out.jsonl.lock").exists()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_checkpoints_then_resume_completes(tmp_path, resume_src, capsys):
    src, ref, _ = resume_src
    dst = tmp_path / "out.jsonl.gz"  # compressed output stays truncatable on resume
    proc = _start(src, dst, "--workers", "1")
    _wait_for_checkpoint(proc, tmp_path / "out.jsonl.gz.checkpoint.json")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"--resume" in err and b"Traceback" not in err
    with pytest.raises(DataError, match="checkpoint"):
        label_dump(src, dst, "default", id_field="id", progress=False)
    with pytest.raises(DataError, match="id_field changed"):
        label_dump(src, dst, "default", resume=True, progress=False)
    assert main(["label", str(src), "-o", str(dst), "--id-field", "id", "-q", "--resume"]) == 0
    assert "done before resume" in capsys.readouterr().out
    assert gzip.decompress(dst.read_bytes()) == ref


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_resume_parquet_output_after_kill_9(tmp_path, resume_src):
    src, ref, _ = resume_src
    dst = tmp_path / "out.parquet"
    proc = _start(src, dst, "--workers", "2")
    _wait_for_checkpoint(proc, tmp_path / "out.parquet.checkpoint.json")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    label_dump(src, dst, "default", id_field="id", resume=True, progress=False)
    table = pq.read_table(dst)
    ref_rows = [json.loads(line) for line in ref.splitlines()]
    assert table.column("row").to_pylist() == [r["row"] for r in ref_rows]
    assert table.column("labels").to_pylist() == [r["labels"] for r in ref_rows]


# ---------------------------------------------------------------- CLI
def test_cli_summary_exit_codes_and_clean_errors(tmp_path, capsys):
    src = _jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS], [b"{bad\n"])
    assert main(["label", str(src), "-o", str(tmp_path / "o.jsonl"), "-q"]) == 0
    out = capsys.readouterr().out
    assert "rows read" in out and "invalid JSON" in out
    assert main(["label", str(src), "-o", str(tmp_path / "o2.jsonl"), "-q", "--max-errors", "0"]) == 1
    assert "exceed --max-errors" in capsys.readouterr().err
    assert main(["label", str(src), "-o", str(tmp_path / "o3.jsonl"), "-q", "--max-errors", "20%"]) == 0
    capsys.readouterr()
    assert main(["label", str(src), "-o", str(tmp_path / "o4.csv"), "--json", "--text-field", "title,text"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["labelled"] == len(TEXTS) and summary["errors"] == 1
    assert main(["label", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "error:" in capsys.readouterr().err
    assert main(["label", str(src), "-o", str(tmp_path / "x.txt")]) == 2
    assert "output format" in capsys.readouterr().err


def test_cli_runs_as_a_module_without_traceback(tmp_path):
    bad = tmp_path / "in.csv"
    bad.write_text("id,body\n1,x\n")
    proc = subprocess.run([sys.executable, "-m", "netral_nlp", "label", str(bad), "-o", str(tmp_path / "o.jsonl")],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2 and "no column 'text'" in proc.stderr and "Traceback" not in proc.stderr
