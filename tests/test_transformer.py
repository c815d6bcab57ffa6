"""The saved transformer folder, loading it, and the shared predict API on it (tiny fine-tuned BERT)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import netral_nlp
from netral_nlp import DEFAULT_TAXONOMY, HubUnavailableError, ModelLoadError, Normalizer, TransformerTopicClassifier
from netral_nlp.text.chunking import encode_chunks

pytestmark = pytest.mark.usefixtures("torch_one_thread")

PLAIN = "bawaslu menemukan amplop berisi uang di rumah warga menjelang pencoblosan"


@pytest.fixture(scope="module")
def clf(tiny_finetuned_model_dir: Path) -> TransformerTopicClassifier:
    model = netral_nlp.load(tiny_finetuned_model_dir)
    assert isinstance(model, TransformerTopicClassifier)
    return model


def long_article(clf: TransformerTopicClassifier, n_windows: int = 5) -> str:
    """A text that the tokenizer splits into several windows."""
    sentence = "warga desa menerima amplop berisi uang dari tim sukses calon bupati sebelum pemungutan suara. "
    filler = "cuaca di kota itu cerah dan pasar ramai dikunjungi pembeli pada pagi hari. "
    text = filler * (n_windows * clf.max_length // 12) + sentence
    assert len(clf.tokenizer(text)["input_ids"]) > clf.max_length * 2
    return text


# ---------------------------------------------------------------- the saved folder
def test_saved_folder_is_a_standard_hf_folder(tiny_finetuned_model_dir: Path):
    names = {p.name for p in tiny_finetuned_model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "netral_config.json", "README.md"} <= names
    assert not any(n.endswith((".bin", ".pkl", ".pt")) for n in names)
    assert "checkpoints" not in names
    config = json.loads((tiny_finetuned_model_dir / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    assert [config["id2label"][str(i)] for i in range(5)] == DEFAULT_TAXONOMY.ids
    assert config["label2id"] == {t: i for i, t in enumerate(DEFAULT_TAXONOMY.ids)}


def test_netral_config_and_model_card(tiny_finetuned_model_dir: Path):
    cfg = json.loads((tiny_finetuned_model_dir / "netral_config.json").read_text())
    assert cfg["model_type"] == "transformer"
    assert cfg["max_length"] == 96 and cfg["stride"] == 24 and cfg["aggregation"] == "max"
    assert cfg["base_model"] and Path(cfg["base_model"]).name == "base"
    assert set(cfg["thresholds"]) == set(DEFAULT_TAXONOMY.ids)
    assert any(v != 0.5 for v in cfg["thresholds"].values()), "thresholds were not tuned on dev"
    assert len(cfg["metrics"]["dev"]["per_topic"]) == 5
    card = (tiny_finetuned_model_dir / "README.md").read_text()
    from huggingface_hub import ModelCard

    meta = ModelCard(card).data
    assert (meta.library_name, meta.pipeline_tag, meta.language) == ("transformers", "text-classification", ["id"])
    for needle in ["Base model:", "corpus:train", "## Metrics on dev", "## Intended use", "## Limitations",
                   *DEFAULT_TAXONOMY.ids]:
        assert needle in card


def test_pipeline_opens_the_folder_and_agrees(tiny_finetuned_model_dir: Path, clf):
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(tiny_finetuned_model_dir), top_k=None, device="cpu")
    out = {d["label"]: d["score"] for d in pipe([PLAIN])[0]}
    assert set(out) == set(DEFAULT_TAXONOMY.ids)
    assert Normalizer()(PLAIN) == PLAIN  # so both see the same input
    ours = clf.predict(PLAIN).scores
    for topic, score in out.items():
        assert score == pytest.approx(ours[topic], abs=1e-5)  # sigmoid scores, same single window


# ---------------------------------------------------------------- loading and thresholds
def test_thresholds_are_saved_and_reused(clf, tiny_finetuned_model_dir: Path, tmp_path: Path):
    saved = json.loads((tiny_finetuned_model_dir / "netral_config.json").read_text())["thresholds"]
    assert clf.thresholds == pytest.approx(saved)
    proba = clf.predict_proba([PLAIN])[0]
    expected = [t for t, p in zip(clf.labels, proba) if p >= saved[t]]
    assert sorted(clf.predict(PLAIN).labels) == sorted(expected)
    # changed thresholds survive a save / load round trip
    clf2 = netral_nlp.load(tiny_finetuned_model_dir)
    clf2.thresholds_ = np.array([0.11, 0.22, 0.33, 0.44, 0.55])
    clf2.save_pretrained(tmp_path / "copy")
    again = netral_nlp.load(tmp_path / "copy")
    assert list(again.thresholds.values()) == pytest.approx([0.11, 0.22, 0.33, 0.44, 0.55])
    np.testing.assert_allclose(again.predict_proba([PLAIN]), clf.predict_proba([PLAIN]), atol=1e-6)


def test_load_overrides_and_info(tiny_finetuned_model_dir: Path):
    clf = netral_nlp.load(tiny_finetuned_model_dir, max_length=64, stride=8, aggregation="mean", device="cpu")
    info = clf.info()
    assert (info["max_length"], info["stride"], info["aggregation"]) == (64, 8, "mean")
    assert info["model_type"] == "transformer" and info["device"] == "cpu"


def test_plain_hf_folder_loads_with_id2label_taxonomy(tiny_finetuned_model_dir: Path, tmp_path: Path):
    plain = tmp_path / "plain"
    shutil.copytree(tiny_finetuned_model_dir, plain)
    (plain / "netral_config.json").unlink()
    clf = netral_nlp.load(plain)
    assert clf.labels == DEFAULT_TAXONOMY.ids and clf.multi_label
    assert set(clf.thresholds.values()) == {0.5}
    assert clf.normalizer.lowercase is False  # raw text, as the foreign model was trained on


def test_pickle_weights_need_explicit_permission(tiny_finetuned_model_dir: Path, tmp_path: Path):
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "bin"
    shutil.copytree(tiny_finetuned_model_dir, folder)
    state = load_file(str(folder / "model.safetensors"))
    (folder / "model.safetensors").unlink()
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match=r"no \*\.safetensors.*pytorch_model\.bin.*use_safetensors=False"):
        netral_nlp.load(folder)
    clf = netral_nlp.load(folder, use_safetensors=False)
    assert clf.predict(PLAIN).scores == pytest.approx(netral_nlp.load(tiny_finetuned_model_dir).predict(PLAIN).scores)


def test_remote_code_is_never_trusted_by_default(tiny_finetuned_model_dir: Path, monkeypatch):
    import transformers

    seen = {}
    real = transformers.AutoModelForSequenceClassification.from_pretrained

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", spy)
    netral_nlp.load(tiny_finetuned_model_dir)
    assert seen["trust_remote_code"] is False and seen["use_safetensors"] is True


def test_broken_folders_raise_model_load_error(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="not a model folder"):
        netral_nlp.load(tmp_path / "empty")
    with pytest.raises(ModelLoadError, match="no such model folder"):
        TransformerTopicClassifier.from_pretrained("./no/such/folder")


# ---------------------------------------------------------------- hub ids without network
def test_hub_id_offline_error_says_what_was_tried():
    t0 = time.perf_counter()
    with pytest.raises(HubUnavailableError) as err:
        TransformerTopicClassifier.from_pretrained("indobenchmark/indobert-base-p1", local_files_only=True)
    msg = str(err.value)
    assert "'indobenchmark/indobert-base-p1'" in msg
    assert "local Hugging Face cache" in msg
    assert "cannot be reached" in msg and "does not exist" in msg
    assert "--local-dir" in msg and "netral_nlp.load('./indobert-base-p1')" in msg
    assert time.perf_counter() - t0 < 5


def test_unknown_hub_id_fails_fast_with_the_same_advice():
    t0 = time.perf_counter()
    with pytest.raises(HubUnavailableError, match="netral-nlp-tests/no-such-model.*local copy"):
        netral_nlp.load("netral-nlp-tests/no-such-model")
    assert time.perf_counter() - t0 < 30


# ---------------------------------------------------------------- the predict API on bad input
def test_bad_input_behaves_like_the_default_model(clf):
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        clf.predict(["ok", 3])
    with pytest.raises(TypeError):
        clf.predict(None)
    empty = clf.predict(["", "   ", "🙂🙂"])
    assert all(p.labels == [] and set(p.scores.values()) == {0.0} for p in empty)
    assert clf.predict([]) == []


def test_one_megabyte_string_takes_bounded_time(clf):
    text = "warga menerima amplop berisi uang. " * 30_000  # ~1 MB
    t0 = time.perf_counter()
    pred = clf.predict(text)
    assert time.perf_counter() - t0 < 15
    assert set(pred.scores) == set(clf.labels)
    # even without the normaliser's character cap, the windows per text are capped
    chunks = encode_chunks(clf.tokenizer, [text], clf.max_length, clf.stride, clf.max_chunks)
    assert len(chunks) == clf.max_chunks == 64


# ---------------------------------------------------------------- long texts and aggregation
def test_long_text_scores_are_the_max_over_windows(clf):
    text = long_article(clf)
    normed = clf.normalizer(text)
    chunks = encode_chunks(clf.tokenizer, [normed], clf.max_length, clf.stride, clf.max_chunks)
    assert len(chunks) > 2
    per_window = clf._forward(chunks.input_ids)
    np.testing.assert_allclose(clf.predict_proba(text)[0], per_window.max(axis=0), atol=1e-5)
    mean_clf = TransformerTopicClassifier(clf.model, clf.tokenizer, clf.taxonomy, aggregation="mean",
                                          max_length=clf.max_length, stride=clf.stride, normalizer=clf.normalizer)
    np.testing.assert_allclose(mean_clf.predict_proba(text)[0], per_window.mean(axis=0), atol=1e-5)


def test_batching_and_sorting_do_not_change_scores(clf):
    texts = [long_article(clf, 3), PLAIN, "hoaks video editan soal surat suara tercoblos", "camat kampanye"]
    together = clf.predict_proba(texts, batch_size=2)
    alone = np.vstack([clf.predict_proba([t], batch_size=1) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


# ---------------------------------------------------------------- numeric paths
@pytest.mark.parametrize("precision, tol", [("bf16", 0.08), ("int8", 0.1)])
def test_fast_cpu_precisions_stay_close(tiny_finetuned_model_dir: Path, clf, precision, tol):
    fast = netral_nlp.load(tiny_finetuned_model_dir, precision=precision, device="cpu")
    assert fast.precision == precision
    texts = [PLAIN, "hoaks video editan soal surat suara tercoblos", long_article(clf, 2)]
    diff = np.abs(fast.predict_proba(texts) - clf.predict_proba(texts))
    assert diff.max() < tol
    assert fast.model is not None and type(fast.model).__name__ == "BertForSequenceClassification"


def test_invalid_precision_is_rejected(tiny_finetuned_model_dir: Path):
    with pytest.raises(ValueError, match="precision must be one of"):
        netral_nlp.load(tiny_finetuned_model_dir, precision="fp8")
    with pytest.raises(ValueError, match="fp16.*CUDA"):
        netral_nlp.load(tiny_finetuned_model_dir, precision="fp16", device="cpu")


# ---------------------------------------------------------------- explain
def test_explain_by_occlusion(clf):
    text = "Tim sukses membagikan amplop berisi uang dan sembako kepada warga sebelum pencoblosan"
    topics = clf.predict(text).labels
    expl = clf.explain(text)
    assert list(expl) == topics
    normed_words = set(clf.normalizer(text).split())
    for topic, items in expl.items():
        assert len(items) <= 8
        weights = [w for _, w in items]
        assert all(w > 0 for w in weights) and weights == sorted(weights, reverse=True)
        assert all(word in normed_words for word, _ in items)
    forced = clf.explain(text, top_k=3, topics=["politik_uang"])
    assert list(forced) == ["politik_uang"] and len(forced["politik_uang"]) <= 3
    assert clf.explain("", topics=["hoaks"]) == {"hoaks": []}
    with pytest.raises(TypeError, match="expected str"):
        clf.explain(None)


def test_explain_groups_words_of_long_texts(clf):
    text = long_article(clf, 2)
    expl = clf.explain(text, topics=["politik_uang"], top_k=5)
    assert all(len(phrase.split()) >= 2 for phrase, _ in expl["politik_uang"])
