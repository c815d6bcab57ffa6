"""Library calls are quiet unless asked; the CLI's ``-q`` silences third-party output too."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import netral_nlp
from netral_nlp import label_dump
from netral_nlp.cli import main

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _posts(path: Path, n: int = 50) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": f"serangan fajar amplop {i}"}) + "\n" for i in range(n)))
    return path


def test_label_dump_from_python_shows_no_progress_bar(tmp_path: Path, capfd):
    summary = label_dump(_posts(tmp_path / "in.jsonl"), tmp_path / "out.jsonl", workers=1)
    assert summary.labelled == 50
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_training_loading_and_saving_a_transformer_are_silent(tiny_base_model_dir: Path, tmp_path: Path, capfd):
    rows = list(netral_nlp.iter_corpus("train"))[:80]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        clf = netral_nlp.train(([r["text"] for r in rows], [r["labels"] for r in rows]),
                               base_model=tiny_base_model_dir, output_dir=tmp_path / "m", epochs=1,
                               learning_rate=3e-3, batch_size=16, max_length=48, device="cpu", cpu_threads=1,
                               early_stopping_patience=0)
        loaded = netral_nlp.load(tmp_path / "m")
        loaded.predict(["amplop serangan fajar"])
        loaded.save_pretrained(tmp_path / "copy")
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == "" or "learned nothing" in captured.err, captured.err  # only our own warning may show
    for noise in ("Loading weights", "Writing model shards", "pin_memory", "'loss'"):
        assert noise not in captured.err
    assert not [w for w in seen if "pin_memory" in str(w.message)]
    assert clf.labels == loaded.labels


def test_cli_quiet_label_prints_only_the_summary(tiny_finetuned_model_dir: Path, tmp_path: Path, capfd):
    src = _posts(tmp_path / "in.jsonl", 20)
    code = main(["label", str(src), "-o", str(tmp_path / "out.jsonl"), "-m", str(tiny_finetuned_model_dir), "-q"])
    captured = capfd.readouterr()
    assert code == 0
    assert captured.err == ""
    assert "rows read" in captured.out and "Loading weights" not in captured.out
