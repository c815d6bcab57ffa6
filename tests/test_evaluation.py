"""The evaluation toolkit on small hand-computable cases (exact expected numbers), on the
real default model, and through ``netral-nlp evaluate``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import netral_nlp
from netral_nlp import EvaluationReport, Taxonomy, evaluate
from netral_nlp.models.classifier import TopicClassifier
from netral_nlp.cli import main
from netral_nlp.errors import DataError

# Four texts, two topics, threshold 0.5 (worked out by hand in the comments):
#            gold     scores (a, b)   predicted
#   t0       a        0.9  0.2        a          correct
#   t1       a, b     0.4  0.8        b          a missed (FN)
#   t2       b        0.6  0.7        a, b       a spurious (FP)
#   t3       -        0.1  0.3        -          correct
Y_TRUE = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
PROBA = np.array([[0.9, 0.2], [0.4, 0.8], [0.6, 0.7], [0.1, 0.3]])
TEXTS = ["t nol", "t satu", "t dua", "t tiga"]


@pytest.fixture
def report() -> EvaluationReport:
    return EvaluationReport(labels=["a", "b"], texts=TEXTS, y_true=Y_TRUE, proba=PROBA, thresholds=np.array([0.5, 0.5]))


class FixedModel(TopicClassifier):
    """A model whose scores are looked up by (normalised) text: evaluate() end to end."""

    model_type = "fixed"

    def __init__(self, table: dict[str, list[float]], labels: list[str]):
        super().__init__(taxonomy=Taxonomy.from_labels(labels))
        self.table = table

    def _predict_scores(self, texts, batch_size=None):
        return np.array([self.table[t] for t in texts], dtype=float)

    def save_pretrained(self, path):  # pragma: no cover - not needed here
        raise NotImplementedError


@pytest.fixture
def model() -> FixedModel:
    return FixedModel(dict(zip(TEXTS, PROBA.tolist())), ["a", "b"])


def test_headline_metrics(report):
    # a: tp=1 fp=1 fn=1 → P=R=F1=0.5; b: tp=2 → 1.0; micro: tp=3 fp=1 fn=1 → 0.75
    rows = {r["topic"]: r for r in report.per_topic()}
    assert rows["a"] == {"topic": "a", "precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2}
    assert rows["b"]["f1"] == 1.0
    s = report.summary()
    assert s["micro_f1"] == pytest.approx(0.75) and s["macro_f1"] == pytest.approx(0.75)
    # samples F1: t0 1, t1 2/3, t2 2/3, t3 (nothing gold, nothing predicted) 1 → 10/12
    assert s["samples_f1"] == pytest.approx(10 / 12)
    assert s["exact_match"] == 0.5 and s["n_texts"] == 4


def test_confusion_counts(report):
    conf = report.confusion()
    assert list(conf.columns) == ["tp", "fp", "fn", "tn"]
    assert conf.loc["a"].tolist() == [1, 1, 1, 1]
    assert conf.loc["b"].tolist() == [2, 0, 0, 2]


def test_cooccurrence(report):
    gold = report.cooccurrence("gold")
    assert gold.to_numpy().tolist() == [[2, 1], [1, 2]]  # a&b together only in t1
    pred = report.cooccurrence("predicted")
    assert pred.to_numpy().tolist() == [[2, 1], [1, 2]]  # a&b together only in t2
    assert pred.index.name == "predicted"
    with pytest.raises(ValueError, match="gold"):
        report.cooccurrence("both")


def test_calibration_two_bins(report):
    # topic a, bins [0, .5) and [.5, 1]: low = {.4 (pos), .1 (neg)} → mean .25, 50 % positive;
    # high = {.9 (pos), .6 (neg)} → mean .75, 50 % positive: ECE = .5 × .25 + .5 × .25 = .25
    curve = report.reliability("a", n_bins=2)
    assert curve.to_dict("list") == {"mean_predicted": [0.25, 0.75], "fraction_positive": [0.5, 0.5], "count": [2, 2]}
    assert report.expected_calibration_error("a", n_bins=2) == pytest.approx(0.25)
    cal = report.calibration(n_bins=2)
    # Brier a = (.1² + .6² + .6² + .1²) / 4 = .185; b = (.2² + .2² + .3² + .3²) / 4 = .065
    assert cal.at["a", "brier"] == pytest.approx(0.185) and cal.at["b", "brier"] == pytest.approx(0.065)
    assert cal.at["b", "ece"] == pytest.approx(0.25)
    # all 8 cells pooled: low bin {.1 .2 .3 .4} mean .25 with 1 of 4 positive; high bin mean .75, 3 of 4 → 0
    assert cal.at["all", "ece"] == pytest.approx(0.0)
    assert cal.at["all", "positives"] == 4


def test_threshold_sweep_and_best_thresholds(report):
    sweep = report.threshold_sweep(grid=[0.3, 0.5, 0.65])
    a = sweep[sweep.topic == "a"].set_index("threshold")
    # a at .3: predicted t0 t1 t2 → tp 2 fp 1 → P 2/3 R 1 F1 .8; at .65: only t0 → P 1 R .5 F1 2/3
    assert a.loc[0.3, "f1"] == pytest.approx(0.8) and a.loc[0.3, "predicted"] == 3
    assert a.loc[0.65, "precision"] == 1.0 and a.loc[0.65, "recall"] == 0.5
    assert len(sweep) == 6 and list(sweep.topic[:3]) == ["a"] * 3
    best = report.best_thresholds()
    # a is F1-best (0.8) for any threshold in (0.1, 0.4]; the tie goes to the one nearest 0.5
    assert best.at["a", "best_threshold"] == pytest.approx(0.40) and best.at["a", "best_f1"] == pytest.approx(0.8)
    assert best.at["a", "threshold"] == 0.5 and best.at["a", "f1"] == 0.5
    assert best.at["b", "best_threshold"] == pytest.approx(0.5) and best.at["b", "best_f1"] == 1.0
    np.testing.assert_allclose(best["best_threshold"], netral_nlp.tune_thresholds(Y_TRUE, PROBA))


def test_errors_frame(report):
    errs = report.errors()
    assert list(errs.index) == [1, 2]  # both margins 0.1: stable order
    assert errs.loc[1, "missed"] == ["a"] and errs.loc[1, "spurious"] == []
    assert errs.loc[2, "spurious"] == ["a"] and errs.loc[2, "predicted"] == ["a", "b"]
    assert errs.loc[2, "text"] == "t dua" and errs.loc[2, "a"] == pytest.approx(0.6)
    assert errs.loc[1, "margin"] == pytest.approx(0.1)
    assert list(report.errors(kind="fn").index) == [1]
    assert list(report.errors(kind="fp").index) == [2]
    assert report.errors(topic="b").empty
    with pytest.raises(ValueError, match="kind"):
        report.errors(kind="wrong")
    with pytest.raises(KeyError, match="unknown topic"):
        report.errors(topic="zzz")


def test_errors_sorted_by_confidence():
    r = EvaluationReport(labels=["a"], texts=["x", "y", "z"], y_true=np.array([[0], [0], [1]]),
                         proba=np.array([[0.55], [0.95], [0.2]]), thresholds=np.array([0.5]))
    assert list(r.errors().index) == [1, 2, 0]  # margins .45, .3, .05
    assert r.errors()["margin"].tolist() == pytest.approx([0.45, 0.3, 0.05])


def test_frame_markdown_and_dict(report):
    frame = report.to_frame()
    assert list(frame.index) == ["a", "b", "micro avg", "macro avg", "samples avg"]
    assert frame.at["micro avg", "f1"] == pytest.approx(0.75)
    md = report.to_markdown(details=True)
    assert "| a | 0.500 | 0.500 | 0.500 | 2 |" in md and "macro-F1 0.750" in md
    assert "| a | 1 | 1 | 1 | 1 |" in md  # confusion row in the details table
    d = report.to_dict()
    json.dumps(d)  # JSON-able
    a = d["per_topic"][0]
    assert (a["tp"], a["fp"], a["fn"], a["tn"]) == (1, 1, 1, 1) and a["best_threshold"] == pytest.approx(0.4)


def test_single_topic_report():
    # one topic (e.g. data labelled for hoaks only): tp t0, fp t1, fn t2, tn t3
    r = EvaluationReport(labels=["hoaks"], texts=list("wxyz"), y_true=np.array([[1], [0], [1], [0]]),
                         proba=np.array([[0.8], [0.6], [0.3], [0.1]]), thresholds=np.array([0.5]))
    assert r.per_topic()[0] == {"topic": "hoaks", "precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2,
                                "predicted": 2}
    assert r.micro_f1 == r.macro_f1 == 0.5 and r.exact_match == 0.5
    assert r.samples_f1 == 0.5  # w 1, x 0, y 0, z (nothing either side) 1
    assert r.confusion().loc["hoaks"].tolist() == [1, 1, 1, 1]
    assert r.to_frame().at["macro avg", "precision"] == 0.5
    # threshold .3 catches y too: tp 2, fp 1 → F1 .8, the best in (0.1, 0.3] (tie → nearest .5)
    assert r.best_thresholds().loc["hoaks"].tolist() == pytest.approx([0.5, 0.5, 0.3, 0.8])
    assert len(r.threshold_sweep(grid=[0.3, 0.5])) == 2
    assert r.plot_confusion().axes


def test_report_rejects_inconsistent_shapes():
    with pytest.raises(ValueError, match="shape"):
        EvaluationReport(labels=["a"], texts=["x"], y_true=np.array([[1, 0]]), proba=np.array([[0.5]]),
                         thresholds=np.array([0.5]))


def test_evaluate_accepts_every_data_shape(model, tmp_path):
    labels = [["a"], ["a", "b"], ["b"], []]
    expected = evaluate(model, (TEXTS, labels))
    assert expected.y_true.tolist() == Y_TRUE.tolist() and expected.macro_f1 == pytest.approx(0.75)
    frame = pd.DataFrame({"text": TEXTS, "labels": labels})
    assert evaluate(model, frame).macro_f1 == pytest.approx(0.75)
    import datasets

    assert evaluate(model, datasets.Dataset.from_pandas(frame)).macro_f1 == pytest.approx(0.75)
    jsonl = tmp_path / "gold.jsonl"
    jsonl.write_text("".join(json.dumps({"isi": t, "labels": lab}) + "\n" for t, lab in zip(TEXTS, labels)))
    assert evaluate(model, jsonl, text_column="isi").macro_f1 == pytest.approx(0.75)
    csv = tmp_path / "gold.csv"  # one 0/1 column per topic
    pd.DataFrame({"text": TEXTS, "a": [1, 1, 0, 0], "b": [0, 1, 1, 0]}).to_csv(csv, index=False)
    rep = evaluate(model, str(csv), label_columns=["a", "b"])
    assert rep.confusion().loc["a"].tolist() == [1, 1, 1, 1] and rep.data_name.endswith("gold.csv")


def test_evaluate_threshold_and_topics(model):
    labels = [["a"], ["a", "b"], ["b"], []]
    rep = evaluate(model, (TEXTS, labels), threshold={"a": 0.35})
    assert rep.confusion().loc["a"].tolist() == [2, 1, 0, 1]  # t1 (0.4) now caught
    only_b = evaluate(model, (TEXTS, labels), topics=["b"])
    assert only_b.labels == ["b"] and only_b.macro_f1 == 1.0 and only_b.y_true.shape == (4, 1)
    with pytest.raises(ValueError, match="subset"):
        evaluate(model, (TEXTS, labels), topics=["zzz"])


def test_evaluate_errors_are_clear(model, tmp_path):
    with pytest.raises(DataError, match="unknown label 'c'"):
        evaluate(model, (TEXTS, [["c"], [], [], []]))
    with pytest.raises(DataError, match="4 texts but 3"):
        evaluate(model, (TEXTS, [[], [], []]))
    with pytest.raises(FileNotFoundError):
        evaluate(model, tmp_path / "missing.csv")
    with pytest.raises(TypeError):
        evaluate(model, 42)
    with pytest.raises(DataError, match="no texts"):
        evaluate(model, ([], []))


def test_evaluate_default_model_on_corpus_split():
    rep = evaluate("default", "dev")
    assert rep.data_name == "corpus:dev" and rep.model_name == "default"
    assert rep.labels == netral_nlp.DEFAULT_TAXONOMY.ids
    conf = rep.confusion()
    assert (conf.sum(axis=1) == len(rep.texts)).all()
    assert (conf["tp"] + conf["fn"]).tolist() == rep.y_true.sum(axis=0).tolist()
    assert 0.5 < rep.macro_f1 <= 1.0 and 0.0 <= rep.calibration().at["all", "ece"] < 0.5


def test_plots_return_figures(report, tmp_path):
    from matplotlib.figure import Figure

    for fig in (report.plot_per_topic(), report.plot_confusion(), report.plot_cooccurrence("predicted"),
                report.plot_reliability(), report.plot_threshold_sweep(topics=["a"])):
        assert isinstance(fig, Figure) and fig.axes
    paths = report.save_plots(tmp_path / "plots")
    assert sorted(p.name for p in paths) == sorted(
        ["per_topic.png", "confusion.png", "cooccurrence_gold.png", "cooccurrence_predicted.png",
         "reliability.png", "threshold_sweep.png"])
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    with pytest.raises(KeyError, match="unknown topic"):
        report.plot_reliability(topics=["zzz"])


def test_cli_evaluate_on_a_file_with_plots(capsys, tmp_path):
    data = tmp_path / "mine.csv"
    pd.DataFrame({
        "isi": ["Warga terima amplop serangan fajar dari caleg", "Camat ikut kampanye paslon di balai desa",
                "Timnas menang 2-0 tadi malam"],
        "topik": ["politik_uang", "netralitas_asn;pelanggaran_kampanye", ""],
    }).to_csv(data, index=False)
    code = main(["evaluate", "--data", str(data), "--text-column", "isi", "--label-column", "topik",
                 "--plots", str(tmp_path / "png"), "--errors", "2"])
    out = capsys.readouterr().out
    assert code == 0 and "mine.csv" in out and "texts: 3" in out and "macro-F1" in out
    assert "tp" in out and "best thr." in out and "saved" in out
    assert (tmp_path / "png" / "reliability.png").is_file()
    code = main(["evaluate", "--json", "--data", str(data), "--text-column", "isi", "--label-column", "topik",
                 "--topics", "politik_uang"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["topic"] for r in out["per_topic"]] == ["politik_uang"]
    assert out["per_topic"][0]["tp"] == 1 and out["summary"]["n_texts"] == 3


@pytest.mark.parametrize("argv, message", [
    (["evaluate", "--data", "/no/such.csv"], "no such file"),
    (["evaluate", "--label-column", "x"], "need --data"),
    (["evaluate", "--topics", "zzz"], "subset"),
])
def test_cli_evaluate_errors(capsys, argv, message):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_evaluate_bad_label_is_one_line(capsys, tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps({"text": "halo", "labels": ["bukan_topik"]}) + "\n")
    code = main(["evaluate", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and "unknown label 'bukan_topik'" in err and "line 1" in err
