"""The TF-IDF linear model: fitting, thresholds, explanations, save/load without pickle."""

import json
import time

import numpy as np
import pytest

import netral_nlp
from netral_nlp import LinearTopicClassifier, ModelLoadError, Taxonomy
from netral_nlp.models.loading import shipped_model_path

TOY_TEXTS = [
    "amplop serangan fajar dibagikan", "warga terima amplop dan sembako dari caleg",
    "politik uang amplop 100 ribu", "bagi bagi uang sebelum mencoblos",
    "harga cabai naik di pasar", "cuaca cerah hari ini di bandung",
    "timnas menang dua gol", "jalan rusak belum diperbaiki",
] * 3
TOY_LABELS = ([["uang"]] * 4 + [[]] * 4) * 3


@pytest.fixture(scope="module")
def toy_model():
    tax = Taxonomy.from_labels(["uang"])
    return LinearTopicClassifier(tax, min_df=1).fit(TOY_TEXTS, TOY_LABELS)


def test_fit_learns_a_custom_taxonomy(toy_model):
    assert toy_model.labels == ["uang"]
    preds = toy_model.predict(["ada amplop serangan fajar", "harga cabai dan cuaca"])
    assert preds[0].labels == ["uang"] and preds[1].labels == []


def test_thresholds_are_tuned_on_dev(toy_model):
    toy_model.tune_thresholds(TOY_TEXTS, TOY_LABELS)
    assert 0.05 <= toy_model.thresholds["uang"] <= 0.95


def test_fit_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="2 texts but 1 label rows"):
        LinearTopicClassifier(Taxonomy.from_labels(["a"])).fit(["x", "y"], [["a"]])


def test_unfitted_model_says_so():
    with pytest.raises(RuntimeError, match="not fitted"):
        LinearTopicClassifier().predict_proba(["teks"])


def test_save_load_roundtrip_gives_identical_scores(toy_model, tmp_path):
    toy_model.save_pretrained(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == ["netral_config.json", "vocabulary.json", "weights.safetensors"]
    again = netral_nlp.load(tmp_path / "m")
    texts = ["amplop serangan fajar", "cuaca cerah", "bagi uang"]
    np.testing.assert_array_equal(again.predict_proba(texts), toy_model.predict_proba(texts))
    assert again.thresholds == toy_model.thresholds and again.taxonomy == toy_model.taxonomy


def test_default_model_roundtrip(tmp_path):
    clf = netral_nlp.load()
    clf.save_pretrained(tmp_path / "copy")
    texts = [r["text"] for r in netral_nlp.iter_corpus("test")][:50]
    np.testing.assert_array_equal(netral_nlp.load(tmp_path / "copy").predict_proba(texts), clf.predict_proba(texts))


def test_default_model_loads_well_under_a_second():
    netral_nlp.load()  # warm the import and file cache
    start = time.perf_counter()
    netral_nlp.load()
    assert time.perf_counter() - start < 1.0


def test_default_model_is_stored_without_pickle():
    folder = shipped_model_path("default")
    names = {p.name for p in folder.iterdir()}
    assert names == {"netral_config.json", "vocabulary.json", "weights.safetensors", "prevalence.json"}
    for p in folder.iterdir():
        assert not p.read_bytes().startswith(b"\x80"), p  # pickle protocol marker


def test_explain_ranks_the_topic_keyword_high():
    clf = netral_nlp.load()
    expl = clf.explain("Warga menerima amplop serangan fajar dari tim sukses caleg")
    assert "politik_uang" in expl
    top_words = [w for w, _ in expl["politik_uang"][:4]]
    assert any(w in ("amplop", "serangan fajar", "serangan", "fajar") for w in top_words), top_words
    assert all(s > 0 for _, s in expl["politik_uang"])


def test_missing_folder_names_the_path(tmp_path):
    with pytest.raises(ModelLoadError, match="no such model folder"):
        netral_nlp.load(str(tmp_path / "nope") + "/")
    with pytest.raises(ModelLoadError, match="not a model folder"):
        netral_nlp.load(tmp_path)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "weights.safetensors").unlink(), "weights.safetensors is missing"),
        (lambda d: (d / "weights.safetensors").write_bytes(b"garbage"), "corrupt model files"),
        (lambda d: (d / "vocabulary.json").write_text("{", encoding="utf-8"), "corrupt model files"),
        (lambda d: (d / "netral_config.json").write_text("{oops", encoding="utf-8"), "corrupt model config"),
        (lambda d: (d / "vocabulary.json").write_text(json.dumps({"word": ["a"], "char": []}), encoding="utf-8"),
         "inconsistent model files"),
    ],
)
def test_corrupt_folder_gives_a_clear_error(toy_model, tmp_path, damage, message):
    folder = toy_model.save_pretrained(tmp_path / "m")
    damage(folder)
    with pytest.raises(ModelLoadError, match=message) as info:
        netral_nlp.load(folder)
    assert str(folder) in str(info.value)
