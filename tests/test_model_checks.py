"""Damaged model folders raise ModelLoadError (netral_nlp.models.checks), never a
SafetensorError, RuntimeError or RecursionError."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import netral_nlp
from netral_nlp import EnsembleTopicClassifier, ModelLoadError


@pytest.fixture(scope="module")
def clf() -> netral_nlp.LinearTopicClassifier:
    return netral_nlp.load()


@pytest.fixture
def folder(tmp_path, clf) -> Path:
    return clf.save_pretrained(tmp_path / "model")


def _edit_config(folder: Path, change) -> None:
    path = folder / "netral_config.json"
    cfg = json.loads(path.read_text())
    change(cfg)
    path.write_text(json.dumps(cfg))


def test_truncated_and_huge_header_safetensors(folder):
    weights = folder / "weights.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match=r"corrupt model files \(weights.safetensors: cut short: its tensors need"):
        netral_nlp.load(folder)
    weights.write_bytes((2**62).to_bytes(8, "little") + data[8:])
    with pytest.raises(ModelLoadError, match="a safetensors header length of 4,611,686,018,427,387,904 bytes"):
        netral_nlp.load(folder)
    weights.write_bytes(data[:5])
    with pytest.raises(ModelLoadError, match="the file is cut short or not safetensors"):
        netral_nlp.load(folder)


@pytest.mark.parametrize("change, message", [
    (lambda c: c["thresholds"].update(hoaks=7), r"threshold of 'hoaks' is 7, expected a number in \[0, 1\]"),
    (lambda c: c["thresholds"].update(hoaks=float("nan")), "threshold of 'hoaks' is nan"),
    (lambda c: c["thresholds"].update(hoaks="0.5"), "threshold of 'hoaks' is '0.5'"),
    (lambda c: c["params"].update(char_ngram_range=[5, 3]), r"char_ngram_range is \[5, 3\], expected \[low, high\]"),
    (lambda c: c["params"].update(word_ngram_range=[0, 2]), "word_ngram_range is"),
    (lambda c: c["params"].update(C=float("inf")), "C is inf"),
    (lambda c: c["normalizer"].update(max_chars=-1), "max_chars is -1"),
    (lambda c: c.update(multi_label="yes"), "'multi_label' is 'yes'"),
])
def test_invalid_config_values_are_refused(folder, change, message):
    _edit_config(folder, change)
    with pytest.raises(ModelLoadError, match=message):
        netral_nlp.load(folder)


def test_weights_not_matching_the_vocabulary_or_not_finite(folder):
    from safetensors.numpy import load_file, save_file

    path = folder / "weights.safetensors"
    weights = load_file(str(path))
    save_file({**weights, "idf_char": weights["idf_char"][:-3]}, str(path))
    with pytest.raises(ModelLoadError, match="idf length = .* must be equal to vocabulary size"):
        netral_nlp.load(folder)
    coef = weights["coef"].copy()
    coef[0, 0] = np.nan
    save_file({**weights, "coef": coef}, str(path))
    with pytest.raises(ModelLoadError, match="NaN or infinite"):
        netral_nlp.load(folder)


@pytest.fixture
def ensemble(tmp_path, clf) -> Path:
    return EnsembleTopicClassifier([clf, clf]).save_pretrained(tmp_path / "ens")


@pytest.mark.parametrize("members, message", [
    ([".", "."], "not a sub-folder"),               # the ensemble itself: infinite recursion before
    (["member_0", ""], "must be a relative path"),
    (["member_0", "../elsewhere"], "must be a relative path"),
    (["member_0", "/tmp"], "must be a relative path"),
    (["member_0", "member_0/.."], "must be a relative path"),
])
def test_ensemble_members_stay_inside_their_folder(ensemble, members, message):
    _edit_config(ensemble, lambda c: c.update(members=members))
    with pytest.raises(ModelLoadError, match=message):
        netral_nlp.load(ensemble)


def test_ensemble_member_symlinked_out_or_to_itself(ensemble, tmp_path):
    shutil.rmtree(ensemble / "member_1")
    (ensemble / "member_1").symlink_to(ensemble)  # loops back: RecursionError before
    with pytest.raises(ModelLoadError, match="not a sub-folder"):
        netral_nlp.load(ensemble)
    (ensemble / "member_1").unlink()
    (ensemble / "member_1").symlink_to(ensemble / "member_0" / "..")
    with pytest.raises(ModelLoadError, match="not a sub-folder"):
        netral_nlp.load(ensemble)


def test_ensemble_weights_must_be_finite(ensemble):
    _edit_config(ensemble, lambda c: c.update(weights=[float("nan"), 1.0]))
    with pytest.raises(ModelLoadError, match="'weights' is"):
        netral_nlp.load(ensemble)


@pytest.fixture
def transformer_folder(tiny_base_model_dir, tmp_path) -> Path:
    return Path(shutil.copytree(tiny_base_model_dir, tmp_path / "bert"))


def test_transformer_folder_damage(transformer_folder):
    from safetensors.torch import load_file, save_file

    weights = transformer_folder / "model.safetensors"
    tensors = load_file(str(weights))
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) - 1000])
    with pytest.raises(ModelLoadError, match="cut short"):  # a SafetensorError before
        netral_nlp.load(transformer_folder, device="cpu")
    name = next(k for k in tensors if k.endswith("query.weight"))
    tensors[name] = tensors[name][:, :16].contiguous()
    save_file(tensors, str(weights), metadata={"format": "pt"})
    with pytest.raises(ModelLoadError, match=r"cannot load the model"):  # a RuntimeError (size mismatch) before
        netral_nlp.load(transformer_folder, device="cpu")
