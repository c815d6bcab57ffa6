"""Training that cannot fail silently: topics from the data, the dev metric's topics, runs that
learned nothing, misspelt labels, and a ``train --json`` stdout that is only JSON."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

import netral_nlp
from netral_nlp import DEFAULT_TAXONOMY, DataError
from netral_nlp.cli import main
from netral_nlp.training.diagnostics import (
    learned_nothing,
    metric_columns,
    trivial_baselines,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")

QUICK = {"epochs": 1, "learning_rate": 3e-3, "batch_size": 32, "max_length": 48, "device": "cpu",
         "cpu_threads": 1, "progress": False, "early_stopping_patience": 0}


def hoax_only(n: int) -> tuple[list[str], list[list[str]]]:
    """Corpus train texts labelled for one topic only: ``["hoaks"]`` or ``[]``."""
    rows = list(netral_nlp.iter_corpus("train"))
    hoax = [r for r in rows if "hoaks" in r["labels"]][: n // 3]
    rows = hoax + [r for r in rows if "hoaks" not in r["labels"]][: n - len(hoax)]
    return [r["text"] for r in rows], [["hoaks"] if "hoaks" in r["labels"] else [] for r in rows]


# ---------------------------------------------------------------- 1. topics from the training data
def test_a_model_has_the_topics_its_training_data_has(tiny_base_model_dir: Path, tmp_path: Path):
    texts, labels = hoax_only(160)
    assert sum(map(len, labels)) >= 10
    clf = netral_nlp.train((texts, labels), base_model=tiny_base_model_dir, output_dir=tmp_path / "one", **QUICK)
    assert clf.labels == ["hoaks"]
    assert clf.taxonomy.get("hoaks").name_en == "Hoaxes and disinformation"  # the topic keeps its definition
    assert clf.metrics_["training"]["dev_metric_topics"] == ["hoaks"]
    assert clf.metrics_["training"]["dev_metric_skipped"] == []


def test_a_given_taxonomy_is_kept_and_the_dev_metric_skips_topics_without_dev_positives(
        tiny_base_model_dir: Path, tmp_path: Path, capsys):
    texts, labels = hoax_only(160)
    clf = netral_nlp.train((texts, labels), base_model=tiny_base_model_dir, output_dir=tmp_path / "five",
                           taxonomy=DEFAULT_TAXONOMY, **{**QUICK, "progress": True})
    assert clf.labels == DEFAULT_TAXONOMY.ids
    training = clf.metrics_["training"]
    assert training["dev_metric_topics"] == ["hoaks"]
    assert training["dev_metric_skipped"] == [t for t in DEFAULT_TAXONOMY.ids if t != "hoaks"]
    assert "the dev metric and early stopping skip" in capsys.readouterr().err


def test_eval_labels_the_training_data_lacks_are_an_error(tiny_base_model_dir: Path, tmp_path: Path):
    texts, labels = hoax_only(60)
    with pytest.raises(DataError, match=r"labels \['politik_uang'\] occur in the eval data but in no training"):
        netral_nlp.train((texts, labels), (["amplop serangan fajar"], [["politik_uang"]]),
                         base_model=tiny_base_model_dir, output_dir=tmp_path / "x", **QUICK)
    with pytest.raises(DataError, match="no text has a topic"):
        netral_nlp.train((texts, [[] for _ in texts]), base_model=tiny_base_model_dir, output_dir=tmp_path / "y",
                         **QUICK)


def test_metric_columns_name_the_skipped_topics():
    y = np.array([[1, 0, 0], [0, 0, 1]])
    assert metric_columns(y, ["a", "b", "c"]) == ([0, 2], ["b"])
    with pytest.raises(DataError, match="no text with a topic"):
        metric_columns(np.zeros((3, 2)), ["a", "b"])


# ---------------------------------------------------------------- 2. a run that learned nothing
def test_trivial_baselines_match_sklearn():
    rng = np.random.default_rng(0)
    y_train, y_dev = (rng.random((200, 4)) < 0.2).astype(int), (rng.random((80, 4)) < 0.3).astype(int)
    y_dev[:, 3] = 0
    got = trivial_baselines(y_train, y_dev, [0, 1, 2], multi=True)
    assert got["all_topics"] == pytest.approx(f1_score(y_dev[:, :3], np.ones((80, 3)), average="macro"))
    assert got["no_topic"] == 0.0
    p, q = y_train[:, :3].mean(0), y_dev[:, :3].mean(0)
    assert got["prior"] == pytest.approx(float(np.mean(2 * p * q / (p + q))))
    assert learned_nothing(got["all_topics"] + 0.005, got, 3e-5, 3, 2) is not None
    assert learned_nothing(got["all_topics"] + 0.2, got, 3e-5, 3, 2) is None


def test_a_run_that_learned_nothing_warns(tiny_base_model_dir: Path, tmp_path: Path, caplog):
    rows = list(netral_nlp.iter_corpus("train"))[:150]
    data = ([r["text"] for r in rows], [r["labels"] for r in rows])
    with caplog.at_level(logging.WARNING, logger="netral_nlp"):
        clf = netral_nlp.train(data, base_model=tiny_base_model_dir, output_dir=tmp_path / "nothing",
                               **{**QUICK, "learning_rate": 1e-9})
    warnings = clf.metrics_["warnings"]
    assert len(warnings) == 1 and "learned nothing" in warnings[0]
    assert "learning rate" in warnings[0] and "epochs" in warnings[0]
    assert any("learned nothing" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    trivial = clf.metrics_["training"]["trivial_dev_macro_f1"]
    assert clf.metrics_["training"]["best_dev_macro_f1"] <= max(trivial.values()) + 0.01
    saved = json.loads((tmp_path / "nothing" / "netral_config.json").read_text())
    assert saved["metrics"]["warnings"] == warnings


def test_a_run_that_learned_has_no_warning(tiny_finetuned_model_dir: Path):
    metrics = json.loads((tiny_finetuned_model_dir / "netral_config.json").read_text())["metrics"]
    assert metrics["warnings"] == []
    assert metrics["training"]["best_dev_macro_f1"] > max(metrics["training"]["trivial_dev_macro_f1"].values())


# ---------------------------------------------------------------- 3. misspelt labels
def test_a_misspelt_label_is_an_error_with_a_suggestion():
    texts = ["teks satu", "teks dua", "teks tiga"]
    with pytest.raises(DataError, match=r"row 2: label 'hoax' .* did you mean 'hoaks'\?"):
        netral_nlp.load_labelled((texts, [["politik_uang"], ["hoax"], []]))
    with pytest.raises(DataError, match="did you mean 'politik_uang'"):
        netral_nlp.load_labelled((texts, [["Money politics"], [], []]))
    with pytest.raises(DataError, match="did you mean 'sara_ujaran_kebencian'"):
        netral_nlp.load_labelled((texts, [["sara_ujaran_kebencan"], [], []]))


def test_new_labels_are_accepted_when_intended():
    texts = ["teks satu", "teks dua"]
    data = netral_nlp.load_labelled((texts, [["hoax"], ["spam"]]), allow_new_labels=True)
    assert data.taxonomy.ids == ["hoax", "spam"]
    data = netral_nlp.load_labelled((texts, [["hoax"], []]), taxonomy=["hoax", "spam"])
    assert data.taxonomy.ids == ["hoax", "spam"]
    data = netral_nlp.load_labelled((texts, [["olahraga"], ["cuaca"]]))  # nothing like a known topic
    assert data.taxonomy.ids == ["cuaca", "olahraga"]
    with pytest.raises(DataError, match="unknown label 'hoaxes'; did you mean 'hoax'"):
        netral_nlp.load_labelled((texts, [["hoaxes"], []]), taxonomy=["hoax", "spam"])


def test_cli_train_allows_new_labels_on_request(tmp_path: Path, capsys):
    path = tmp_path / "typo.csv"
    pd.DataFrame({"text": ["teks satu", "teks dua"], "labels": ["hoax", "politik_uang;hoaks"]}).to_csv(path, index=False)
    assert main(["train", str(path), "--base-model", str(tmp_path / "none"), "-o", str(tmp_path / "m")]) == 2
    assert "did you mean 'hoaks'" in capsys.readouterr().err
    assert main(["train", str(path), "--allow-new-labels", "--base-model", str(tmp_path / "none"),
                 "-o", str(tmp_path / "m")]) == 2
    assert "no such model folder" in capsys.readouterr().err  # the data passed; the base model is checked next


# ---------------------------------------------------------------- 5. train --json
def test_cli_train_json_prints_one_json_document(tiny_base_model_dir: Path, tmp_path: Path, capsys):
    rows = list(netral_nlp.iter_corpus("train"))[:120]
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps({"text": r["text"], "labels": r["labels"]}) + "\n" for r in rows))
    code = main(["train", str(path), "--base-model", str(tiny_base_model_dir), "--output", str(tmp_path / "m"),
                 "--epochs", "1", "--lr", "3e-3", "--batch-size", "16", "--max-length", "48", "--device", "cpu",
                 "--cpu-threads", "1", "--patience", "0", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)  # the whole of stdout
    assert set(doc) == {"summary", "per_topic", "warnings"} and doc["summary"]["macro_f1"] >= 0
    assert "'loss'" in captured.err and "epoch 1/1" in captured.err  # the Trainer's logs went to stderr
