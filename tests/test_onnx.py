"""ONNX export (``netral-nlp export --format onnx``) and the ONNX Runtime prediction path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import netral_nlp
from netral_nlp import label_dump
from netral_nlp.cli import main

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _texts(n: int) -> list[str]:
    texts = [r["text"] for r in netral_nlp.iter_corpus("test")][:n]
    return texts + [" ".join(texts[:12])]  # one text longer than a window


def test_export_writes_a_folder_whose_onnx_path_matches_torch(tiny_finetuned_model_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "onnx-model"
    assert main(["export", "-m", str(tiny_finetuned_model_dir), "-o", str(out), "--check", "40"]) == 0
    printed = capsys.readouterr().out
    assert "identical label sets 100.0%" in printed
    assert (out / "model.onnx").is_file() and (out / "netral_config.json").is_file()

    torch_clf = netral_nlp.load(tiny_finetuned_model_dir, device="cpu")
    onnx_clf = netral_nlp.load(out, precision="onnx")
    assert onnx_clf.precision == "onnx" and onnx_clf.onnx_path == out / "model.onnx"
    texts = _texts(120)
    np.testing.assert_allclose(onnx_clf.predict_proba(texts, batch_size=7), torch_clf.predict_proba(texts),
                               atol=1e-4)
    assert [p.labels for p in onnx_clf.predict(texts)] == [p.labels for p in torch_clf.predict(texts)]


def test_onnx_precision_without_a_file_exports_on_the_fly(tiny_finetuned_model_dir: Path):
    clf = netral_nlp.load(tiny_finetuned_model_dir, device="cpu")
    reference = clf.predict_proba(_texts(30))
    assert clf.onnx_path is None
    clf.set_precision("onnx")
    np.testing.assert_allclose(clf.predict_proba(_texts(30)), reference, atol=1e-4)


def test_label_uses_the_onnx_path_with_the_same_labels(tiny_finetuned_model_dir: Path, tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(_texts(60))))
    assert main(["label", str(src), "-o", str(tmp_path / "onnx.jsonl"), "-m", str(tiny_finetuned_model_dir),
                 "--precision", "onnx", "-q"]) == 0
    label_dump(src, tmp_path / "torch.jsonl", str(tiny_finetuned_model_dir))
    rows = [[json.loads(line)["labels"] for line in (tmp_path / name).read_text().splitlines()]
            for name in ("onnx.jsonl", "torch.jsonl")]
    assert rows[0] == rows[1] and len(rows[0]) == 61


def test_export_refuses_the_tfidf_model(tmp_path: Path, capsys):
    assert main(["export", "-m", "default", "-o", str(tmp_path / "x")]) == 2
    assert "ONNX export is for transformer models" in capsys.readouterr().err
