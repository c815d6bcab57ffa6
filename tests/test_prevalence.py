"""Topic prevalence: the score histogram, the estimators (checked against quapy), the model's
figures on the corpus dev split (``prevalence.json``), ``estimate_prevalence`` and the
estimate in the ``label`` summary."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import netral_nlp
from netral_nlp import estimate_prevalence, label_dump
from netral_nlp.cli import main
from netral_nlp.models.classifier import PREVALENCE_NAME
from netral_nlp.quantify import PrevalenceCalibration, ScoreHistogram, calibration_for, estimate_shares
from netral_nlp.quantify.estimators import DevBehaviour, adjust, em_prior, estimate_topic, platt_fit

TOPICS = ["a", "b"]


@pytest.fixture(scope="module")
def clf():
    return netral_nlp.load()


def _synthetic(rate: float, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores of a model with a known behaviour: positives ~ Beta(4, 2) (tpr 0.81 at 0.5),
    negatives ~ Beta(2, 6) (fpr 0.06)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < rate
    return np.where(y, rng.beta(4, 2, n), rng.beta(2, 6, n)), y


def _dev(n: int = 600, seed: int = 1, threshold: float = 0.5) -> DevBehaviour:
    s, y = _synthetic(0.2, n, seed)
    return DevBehaviour(s[y], s[~y], s[y] >= threshold, s[~y] >= threshold)


def test_histogram_add_merge_and_round_trip():
    scores = np.array([[0.0, 1.0], [0.005, 0.999], [0.5, 0.25]])
    flags = scores >= 0.5
    whole = ScoreHistogram(TOPICS)
    whole.add(scores, flags)
    assert whole.rows == 3 and whole.flags.tolist() == [1, 2]
    assert whole.counts[0, 0] == 2 and whole.counts[1, 99] == 2 and whole.counts[0, 50] == 1  # 1.0 -> last bin
    counts, means, flagged = whole.topic("b")
    assert flagged == 2 and means[99] == pytest.approx(0.9995) and means[10] == pytest.approx(0.105)
    parts = ScoreHistogram(TOPICS)
    for i in range(3):
        part = ScoreHistogram(TOPICS)
        part.add(scores[i:i + 1], flags[i:i + 1])
        parts.merge(part)
    assert np.array_equal(parts.counts, whole.counts) and np.allclose(parts.sums, whole.sums)
    back = ScoreHistogram.from_dict(json.loads(json.dumps(whole.to_dict())))
    assert np.array_equal(back.counts, whole.counts) and back.rows == 3
    with pytest.raises(ValueError, match="shape"):
        whole.add(np.zeros((2, 3)), np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="different topics"):
        whole.merge(ScoreHistogram(["x", "y"]))
    with pytest.raises(netral_nlp.DataError, match="corrupt"):
        ScoreHistogram.from_dict({"topics": TOPICS})


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.3])
def test_adjusted_estimators_recover_a_known_share_that_counting_misses(rate):
    dev = _dev(5_000)  # error rates well measured: the estimators' bias, not the dev sample's noise
    scores, y = _synthetic(rate, 20_000, seed=7)
    hist = ScoreHistogram(["t"])
    hist.add(scores[:, None], (scores >= 0.5)[:, None])
    counts, means, flags = hist.topic("t")
    truth = y.mean()
    got = {m: estimate_topic(m, counts, means, flags, dev, n_boot=200) for m in ("cc", "acc", "pacc", "em")}
    for method in ("acc", "pacc", "em"):
        share, low, high = got[method]
        assert abs(share - truth) < 0.012, (method, share, truth)
        assert low <= truth <= high and high - low < 0.08, (method, low, high, truth)
    if rate <= 0.05:  # counting is biased upwards by the false positives at a low base rate
        assert got["cc"][0] - truth > 0.02
        assert all(abs(got[m][0] - truth) < (got["cc"][0] - truth) / 2 for m in ("acc", "pacc", "em"))


def test_estimators_match_quapy():
    qf = pytest.importorskip("quapy.functional")
    from quapy.method.aggregative import EMQ

    obs, tpr, fpr = np.array([0.1, 0.02, 0.9]), np.array([0.8, 0.8, 0.8]), np.array([0.05, 0.05, 0.05])
    assert np.allclose(adjust(obs, tpr, fpr), [qf.solve_adjustment_binary(o, 0.8, 0.05) for o in obs])
    rng = np.random.default_rng(3)
    post = rng.beta(0.5, 2.0, 400)
    want, _ = EMQ.EM(np.array([0.8, 0.2]), np.stack([1 - post, post], axis=1), epsilon=1e-9)
    got = em_prior(post[None, :], np.ones((1, 400), dtype=np.int64), prior=0.2)  # one bin per item
    assert got[0] == pytest.approx(want[1], abs=2e-4)


def test_platt_fit_matches_sklearn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    x = rng.normal(size=300)
    y = (rng.random(300) < 1 / (1 + np.exp(-(2 * x - 1)))).astype(float)
    a, b = platt_fit(x, y[None, :], 1 - y[None, :], l2=0.0)  # one point per text
    lr = LogisticRegression(C=1e8, max_iter=1000).fit(x[:, None], y)
    assert a[0] == pytest.approx(lr.coef_[0, 0], rel=1e-3) and b[0] == pytest.approx(lr.intercept_[0], abs=1e-3)


def test_estimate_topic_input_checks():
    counts, means = np.array([5, 5]), np.array([0.2, 0.8])
    with pytest.raises(ValueError, match="unknown prevalence method"):
        estimate_topic("median", counts, means, 5, _dev())
    with pytest.raises(ValueError, match="labelled texts"):
        estimate_topic("acc", counts, means, 5, None)
    with pytest.raises(ValueError, match="no rows"):
        estimate_topic("cc", np.array([0, 0]), means, 0, None)
    assert estimate_topic("cc", counts, means, 5, None, n_boot=0) == (0.5, 0.5, 0.5)


def test_shipped_default_model_carries_its_dev_figures(clf):
    assert clf.prevalence_ is not None and clf.prevalence_["source"] == "corpus:dev"
    cal = calibration_for(clf, fit_missing=False)
    assert cal is not None and cal.n == len(list(netral_nlp.iter_corpus("dev")))
    rates = cal.rates(clf)
    dev = list(netral_nlp.iter_corpus("dev"))
    report = netral_nlp.evaluate(clf, ([r["text"] for r in dev], [r["labels"] for r in dev]))
    for row in report.per_topic():  # the stored figures give the model's recall on the dev split today
        assert rates[row["topic"]]["tpr"] == pytest.approx(row["recall"], abs=0.01)
        assert 0 < rates[row["topic"]]["fpr"] < 0.1


def test_prevalence_json_saved_loaded_tolerated_and_refreshed(tmp_path, clf):
    folder = clf.save_pretrained(tmp_path / "m")
    assert json.loads((folder / PREVALENCE_NAME).read_text())["n"] == len(list(netral_nlp.iter_corpus("dev")))
    again = netral_nlp.load(folder)
    assert again.prevalence_ == clf.prevalence_
    (folder / PREVALENCE_NAME).unlink()  # a folder without it: computed on the fly from the dev split
    bare = netral_nlp.load(folder)
    assert bare.prevalence_ is None
    cal = calibration_for(bare)
    assert cal is not None and bare.prevalence_ is not None
    assert np.allclose(cal.scores, PrevalenceCalibration.from_dict(clf.prevalence_).scores, atol=1e-4)
    (folder / PREVALENCE_NAME).write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable"):
        broken = netral_nlp.load(folder)
    assert broken.prevalence_ is None
    bare.save_pretrained(folder)  # rewritten from the model
    assert netral_nlp.load(folder).prevalence_ == bare.prevalence_
    stale = netral_nlp.load(folder)
    stale.intercept_ = stale.intercept_ + 2.0  # other weights: the probe texts no longer match
    assert calibration_for(stale, fit_missing=False) is None
    assert not PrevalenceCalibration.from_dict(bare.prevalence_).matches(stale)
    stale.fit(["ASN kampanye", "amplop uang", "cuaca"] * 4, [["netralitas_asn"], ["politik_uang"], []] * 4)
    assert stale.prevalence_ is None  # retraining drops the old figures
    stale.save_pretrained(folder)
    assert not (folder / PREVALENCE_NAME).exists()


def test_estimate_prevalence_on_texts_and_files(tmp_path, clf):
    records = list(netral_nlp.iter_corpus("test"))[:800]
    texts = [r["text"] for r in records]
    truth = {t: np.mean([t in r["labels"] for r in records]) for t in clf.labels}
    est = estimate_prevalence(clf, texts, method="pacc", n_boot=100)
    assert est.rows == len(texts) and est.method == "pacc" and est.skipped == 0
    preds = clf.predict(texts)
    for share in est.topics:
        assert share.flagged == sum(share.topic in p.labels for p in preds)
        assert share.low <= share.share <= share.high
        assert abs(share.share - truth[share.topic]) < 0.05
    src = tmp_path / "dump.jsonl"
    src.write_text("\n".join(json.dumps({"body": t}) for t in texts[:50]) + '\n{"body": 3}\n', encoding="utf-8")
    from_file = estimate_prevalence("default", src, "cc", text_field="body", n_boot=0)
    assert from_file.rows == 50 and from_file.skipped == 1
    assert from_file["hoaks"].flagged == sum("hoaks" in p.labels for p in preds[:50])
    assert "rows without text skipped" in str(from_file)
    with pytest.raises(ValueError, match="unknown prevalence method"):
        estimate_prevalence(clf, texts[:3], method="median")
    with pytest.raises(FileNotFoundError):
        estimate_prevalence(clf, tmp_path / "missing.jsonl")
    with pytest.raises(TypeError):
        estimate_prevalence(clf, [1, 2])


def test_taxonomy_outside_the_corpus_gets_only_the_flag_count():
    model = netral_nlp.LinearTopicClassifier(taxonomy=netral_nlp.Taxonomy.from_labels(["sport", "food"]))
    model.fit(["bola gol", "nasi goreng", "sepak bola", "sate ayam"] * 3, [["sport"], ["food"]] * 6)
    hist = ScoreHistogram(model.labels)
    scores = model.predict_proba(["bola", "nasi"])
    hist.add_labelled(scores, model.decide(scores))
    est = estimate_shares(hist, model, "em")
    assert all(t.share is None and "no labelled texts" in t.note for t in est.topics)
    assert estimate_shares(hist, model, "cc").topics[0].share == pytest.approx(0.5)


def test_label_summary_reports_shares_next_to_flag_counts(tmp_path, clf, capsys):
    records = list(netral_nlp.iter_corpus("test"))[:150]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"text": r["text"]}) for r in records) + "\n", encoding="utf-8")
    summary = label_dump(src, tmp_path / "out.jsonl", clf, progress=False, workers=2, chunk_size=64)
    prev = summary.to_dict()["prevalence"]
    assert prev["method"] == "em" and prev["rows"] == 150
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    for t in prev["topics"]:
        assert t["flagged"] == sum(t["topic"] in r["labels"] for r in out)
        assert t["low"] <= t["share"] <= t["high"]
    direct = estimate_prevalence(clf, [r["text"] for r in records])  # same rows, same figures
    assert [t["share"] for t in prev["topics"]] == pytest.approx([t.share for t in direct.topics], abs=2e-4)
    none = label_dump(src, tmp_path / "out2.jsonl", clf, progress=False, prevalence=None)
    assert none.prevalence is None
    with pytest.raises(ValueError, match="unknown prevalence method"):
        label_dump(src, tmp_path / "out3.jsonl", clf, progress=False, prevalence="median")
    assert main(["label", str(src), "-o", str(tmp_path / "out4.jsonl"), "-q", "--prevalence", "acc"]) == 0
    text = capsys.readouterr().out
    assert "topic (method acc)" in text and "95% interval" in text and "politik_uang" in text
    assert main(["label", str(src), "-o", str(tmp_path / "out5.jsonl"), "--json", "--prevalence", "none"]) == 0
    assert json.loads(capsys.readouterr().out)["prevalence"] is None


def test_checkpoint_carries_the_histogram(tmp_path, clf):
    from netral_nlp.batch.summary import DumpSummary

    s = DumpSummary("a", "b", "c")
    hist = ScoreHistogram(clf.labels)
    hist.add_labelled(clf.predict_proba(["amplop serangan fajar"]), [["politik_uang"]])
    s.labelled = s.rows_read = 1
    s.add_histogram(hist)
    restored = DumpSummary("a", "b", "c")
    restored.restore(json.loads(json.dumps(s.counters())))
    assert restored.histogram is not None and restored.histogram.flags.tolist() == hist.flags.tolist()
    old = s.counters()
    old.pop("histogram")  # a checkpoint of an older version
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        legacy = DumpSummary("a", "b", "c")
        legacy.restore(old)
    assert legacy.histogram is None and "without score histogram" in legacy.prevalence_note
