"""The predict API contract, on the embedded default model."""

import time

import numpy as np
import pytest

import netral_nlp
from netral_nlp import Prediction


@pytest.fixture(scope="module")
def clf():
    return netral_nlp.load()


def test_labels_are_the_default_taxonomy(clf):
    assert clf.labels == netral_nlp.DEFAULT_TAXONOMY.ids


def test_single_text_gives_one_prediction(clf):
    pred = clf.predict("Camat ikut kampanye paslon 02 di balai desa")
    assert isinstance(pred, Prediction)
    assert "netralitas_asn" in pred.labels
    assert list(pred.scores) == clf.labels
    assert all(0.0 <= s <= 1.0 for s in pred.scores.values())
    assert pred.labels == sorted(pred.labels, key=lambda k: -pred.scores[k])


def test_list_in_list_out_same_order(clf):
    texts = ["Serangan fajar: warga terima amplop 100 ribu", "Timnas menang 2-0 tadi malam", "Camat kampanye"]
    preds = clf.predict(texts)
    assert isinstance(preds, list) and len(preds) == 3
    singles = [clf.predict(t) for t in texts]
    assert preds == singles
    assert "politik_uang" in preds[0].labels and preds[1].labels == []


def test_predict_proba_shape_and_columns(clf):
    texts = ["amplop", "hoaks surat suara tercoblos", ""]
    proba = clf.predict_proba(texts)
    assert isinstance(proba, np.ndarray) and proba.shape == (3, 5)
    assert ((proba >= 0) & (proba <= 1)).all()
    preds = clf.predict(texts)
    for row, pred in zip(proba, preds):
        assert [pred.scores[k] for k in clf.labels] == pytest.approx(row.tolist())
    assert clf.predict_proba([]).shape == (0, 5)
    assert clf.predict([]) == []


def test_threshold_argument(clf):
    text = "Caleg bagi amplop di masjid saat masa tenang"
    assert clf.predict(text, threshold=0.0).labels != []
    assert clf.predict(text, threshold=1.0).labels == []
    only = clf.predict(text, threshold={"politik_uang": 1.0})
    assert "politik_uang" not in only.labels
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        clf.predict(text, threshold=1.5)
    with pytest.raises(KeyError, match="unknown topic"):
        clf.predict(text, threshold={"korupsi": 0.3})


def test_batch_size_does_not_change_results(clf):
    texts = [r["text"] for r in netral_nlp.iter_corpus("dev")][:40]
    np.testing.assert_allclose(clf.predict_proba(texts, batch_size=7), clf.predict_proba(texts))


@pytest.mark.parametrize("bad", [None, 42, b"bytes", 3.5])
def test_non_text_input_is_a_type_error(clf, bad):
    with pytest.raises(TypeError, match="string"):
        clf.predict(bad)


def test_list_with_a_non_string_names_the_position(clf):
    with pytest.raises(TypeError, match=r"texts\[2\] is NoneType"):
        clf.predict(["a", "b", None])
    with pytest.raises(TypeError, match=r"texts\[0\] is int"):
        clf.predict_proba([1])


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "😡🔥🙏", "👍🏽👍🏽"])
def test_empty_like_texts_get_no_topic(clf, text):
    pred = clf.predict(text)
    assert pred.labels == [] and set(pred.scores.values()) == {0.0}


def test_one_megabyte_text_is_bounded(clf):
    text = ("Bawaslu menemukan amplop serangan fajar di desa. " * 25_000)[:1_000_000]
    start = time.perf_counter()
    pred = clf.predict(text)
    assert time.perf_counter() - start < 10
    assert "politik_uang" in pred.labels


def test_load_unknown_hub_id_offline_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(netral_nlp.ModelLoadError) as info:
        netral_nlp.load("no-such-org/no-such-model")
    assert "no-such-org/no-such-model" in str(info.value)


@pytest.mark.parametrize("call", ["predict", "predict_proba"])
def test_a_mapping_is_a_type_error_not_its_keys_labelled(clf, call):
    # iterating a dict gives its keys: before, predict({"a": 1}) labelled the string "a"
    with pytest.raises(TypeError, match=r"got dict \(a mapping: pass list\(d.values\(\)\)"):
        getattr(clf, call)({"a": 1})
