"""The analyst's loop: choosing texts to label (suggest), the labelling sheet, updating a model."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest

import netral_nlp
from netral_nlp import DataError, LinearTopicClassifier, Taxonomy
from netral_nlp.training.corrections import read_corrections, write_sheet
from netral_nlp.training.selection import diverse_pick, topic_weights, uncertainty
from netral_nlp.training.suggest import CandidatePool, _Candidate
from netral_nlp.training.update import update_model

TAX = Taxonomy.from_labels(["uang", "hoaks"])
WORDS = {"uang": ["amplop", "serangan", "fajar", "sembako", "ribu"], "hoaks": ["palsu", "editan", "beredar", "cek", "fakta"]}
FILLER = ["warga", "desa", "hari", "ini", "kata", "pasar", "jalan", "kota", "ramai", "sore"]


def toy(n: int, seed: int) -> tuple[list[str], list[list[str]]]:
    """Texts whose topic words decide their labels (0, 1 or 2 topics each)."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        topics = [t for t in TAX.ids if rng.random() < 0.4]
        words = rng.sample(FILLER, 4) + [w for t in topics for w in rng.sample(WORDS[t], 2)]
        rng.shuffle(words)
        texts.append(" ".join(words) + f" nomor{i}")
        labels.append(topics)
    return texts, labels


@pytest.fixture(scope="module")
def toy_model() -> LinearTopicClassifier:
    texts, labels = toy(120, 0)
    return LinearTopicClassifier(TAX, min_df=1).fit(texts, labels)


# ---------------------------------------------------------------------------- selection
def test_uncertainty_is_one_on_the_threshold_and_halves_one_ln2_away():
    th = np.array([0.3, 0.6])
    odds = lambda p: p / (1 - p)  # noqa: E731
    p_half = lambda t: (2 * odds(t)) / (1 + 2 * odds(t))  # noqa: E731 (log-odds + ln 2)
    u = uncertainty(np.array([[0.3, 0.6], [p_half(0.3), p_half(0.6)], [0.999, 0.001]]), th)
    assert np.allclose(u[0], 1.0) and np.allclose(u[1], 0.5)
    assert (u[2] < 0.01).all()


def test_rarer_topics_weigh_more_up_to_the_cap():
    w = topic_weights(np.array([400, 100, 0]), 1000)
    assert w[0] == 1.0 and w[1] == pytest.approx(np.sqrt(401 / 101)) and w[2] == 4.0


def test_diverse_pick_spreads_over_clusters_instead_of_near_copies():
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 5
    X = np.vstack([centres[0] + rng.normal(0, 0.01, (20, 3)), centres[1] + rng.normal(0, 0.01, (5, 3)),
                   centres[2] + rng.normal(0, 0.01, (5, 3))])
    prio = np.r_[np.full(20, 0.9), np.full(10, 0.6)]  # the top 3 by priority alone are all cluster 0
    picked = diverse_pick(X, prio, 3, seed=0)
    assert sorted(int(i) // 5 if i >= 20 else 0 for i in picked) == [0, 4, 5]
    assert prio[picked[0]] == 0.9  # most urgent first
    assert list(diverse_pick(X[:2], prio[:2], 5)) == [0, 1]  # fewer rows than asked: all of them
    same = np.vstack([X[:1]] * 6 + [X[25:26]])  # 2 distinct rows, 3 clusters asked: still 3 rows, no warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sorted(diverse_pick(same, np.r_[np.full(6, 0.9), 0.5], 3).tolist())[-1] == 6


def test_candidate_pool_is_bounded_and_keeps_one_entry_per_text():
    pool = CandidatePool(n_topics=2, size=3)
    for row in range(50):
        u = np.array([row / 50, 1 - row / 50])
        pool.offer(_Candidate(row, None, f"t{row}", f"t{row}", np.zeros(2)), u, [0, 1])
        pool.offer(_Candidate(row + 100, None, f"t{row}", f"t{row}", np.zeros(2)), u, [0, 1])  # a repeat
    assert len(pool.items) == 6 and all(len(h) == 3 for h in pool.heaps)
    assert {c.row for c in pool.items.values()} == {47, 48, 49, 0, 1, 2}


# ---------------------------------------------------------------------------- suggest
def write_dump(path: Path, texts: list[str]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i, t in enumerate(texts):
            fh.write(json.dumps({"id": f"p{i}", "text": t}) + "\n")
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "no-text"}) + "\n")
        fh.write(json.dumps({"id": "again", "text": texts[0]}) + "\n")  # a repeat of the first text
    return path


def test_suggest_streams_a_dump_and_prefers_uncertain_texts(tmp_path, toy_model):
    texts, _ = toy(200, 1)
    dump = write_dump(tmp_path / "dump.jsonl", texts)
    res = netral_nlp.suggest(toy_model, dump, n=12, output=tmp_path / "sheet.csv", pool_factor=3)
    assert len(res) == 12 and res.read == 203 and res.skipped == 2
    assert res.scored in (200, 201)  # the repeat is scored again unless its first copy is a candidate
    assert res.skip_reasons == {"invalid JSON": 1, "missing text": 1}
    assert len({r["text"] for r in res.rows}) == 12
    proba = toy_model.predict_proba(texts)
    u_all = uncertainty(proba, toy_model.thresholds_).max(axis=1)
    u_chosen = uncertainty(np.array([list(r["scores"].values()) for r in res.rows]), toy_model.thresholds_).max(axis=1)
    assert u_chosen.mean() > 2 * u_all.mean()
    assert all(r["id"] == f"p{r['row'] - 1}" for r in res.rows)
    sheet = read_corrections(res.sheet, TAX)  # the sheet reads back, pre-filled with the model's guesses
    guesses = {r["text"]: [t in r["labels"] for t in TAX.ids] for r in res.rows}
    assert [list(map(bool, row)) for row in sheet.y] == [guesses[t] for t in sheet.texts]
    assert sheet.ids == [r["id"] for r in res.rows] and sheet.topics == TAX.ids


def test_suggest_topics_and_exclude(tmp_path, toy_model):
    texts, _ = toy(150, 2)
    first = netral_nlp.suggest(toy_model, texts, n=10, topics=["hoaks"], output=tmp_path / "round1.csv")
    assert all(r["near_threshold"] == ["hoaks"] for r in first.rows) and set(first.weights) == {"hoaks"}
    second = netral_nlp.suggest(toy_model, texts, n=10, topics=["hoaks"], exclude=tmp_path / "round1.csv")
    assert not {r["text"] for r in first.rows} & {r["text"] for r in second.rows}
    with pytest.raises(DataError, match="unknown topic"):
        netral_nlp.suggest(toy_model, texts, n=5, topics=["hoax"])
    dump = tmp_path / "posts.csv"  # a CSV dump with other field names
    with open(dump, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["post_id", "isi"]] + [[f"k{i}", t] for i, t in enumerate(texts)])
    from_csv = netral_nlp.suggest(toy_model, dump, n=10, topics=["hoaks"], text_field="isi", id_field="post_id")
    assert [r["text"] for r in from_csv.rows] == [r["text"] for r in first.rows]
    assert [r["id"] for r in from_csv.rows] == [f"k{r['row'] - 1}" for r in first.rows]
    with pytest.raises(ValueError, match="at least 1"):
        netral_nlp.suggest(toy_model, texts, n=0)


# ---------------------------------------------------------------------------- the sheet
def sheet(tmp_path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    path = tmp_path / "sheet.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=delimiter)
        out.writerow(header)
        out.writerows(rows)
    return path


@pytest.mark.parametrize("header, rows, message", [
    (["text", "uang", "hoax"], [["a", "1", "0"]], r"unknown column\(s\) \['hoax'\]"),
    (["text", "uang"], [["a", "1"], ["b", "2"]], "line 3: column 'uang' must be 0 or 1, got '2'"),
    (["text", "uang"], [["a", ""]], "line 2: column 'uang' is empty"),
    (["text", "uang"], [["a", "1"], ["  ", "0"]], "line 3: column 'text' is empty"),
    (["isi", "uang"], [["a", "1"]], "no 'text' column"),
    (["text", "note"], [["a", "x"]], "no topic column"),
    (["text", "uang"], [["sama", "1"], ["Sama", "0"]], "lines 2 and 3 hold the same text with different labels"),
    (["text", "uang"], [], "no labelled rows"),
    (["text", "uang"], [["a", "1", "extra"]], "line 2: 3 fields, the header has 2"),
])
def test_sheet_errors_are_clear(tmp_path, header, rows, message):
    with pytest.raises(DataError, match=message):
        read_corrections(sheet(tmp_path, header, rows), TAX)


def test_sheet_accepts_spreadsheet_habits(tmp_path):
    path = sheet(tmp_path, ["id", "text", "hoaks", "score_hoaks", "note"],
                 [["1", "satu", "TRUE", "0,4", "cek"], ["2", "dua\nbaris", "false", "", ""], ["", "", "", "", ""],
                  ["3", "satu", "1", "", "repeat, same labels"]], delimiter=";")
    got = read_corrections(path, TAX)
    assert got.texts == ["satu", "dua\nbaris"] and got.ids == ["1", "2"]
    assert got.topics == ["hoaks"] and got.mask.tolist() == [False, True]
    assert got.y.tolist() == [[0, 1], [0, 0]]
    with pytest.raises(FileNotFoundError):
        read_corrections(tmp_path / "none.csv", TAX)


def test_written_sheet_has_a_bom_and_every_column(tmp_path):
    rows = [{"id": "a", "row": 3, "text": "teks, dengan koma", "labels": ["hoaks"],
             "scores": {"uang": 0.1, "hoaks": 0.55}, "near_threshold": ["hoaks"], "explanation": "hoaks: palsu"}]
    path = write_sheet(tmp_path / "s.csv", rows, TAX)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == ["id", "row", "text", "uang", "hoaks", "score_uang", "score_hoaks", "near_threshold", "explanation"]


# ---------------------------------------------------------------------------- update_model
def test_update_learns_the_corrections_and_reports_before_after(tmp_path, toy_model):
    rng = random.Random(5)
    texts, labels = [], []
    for i in range(40):  # a new slang word for money politics the toy model never saw
        pos = i % 2 == 0
        texts.append(" ".join(rng.sample(FILLER, 4) + (["salam", "tempel"] if pos else ["kopi", "pagi"])) + f" x{i}")
        labels.append(["uang"] if pos else [])
    rows = [[t, int("uang" in lab), 0] for t, lab in zip(texts, labels)]
    path = sheet(tmp_path, ["text", "uang", "hoaks"], rows)
    base_texts, base_labels = toy(120, 0)
    res = update_model(path, toy_model, tmp_path / "updated", corpus=(base_texts, base_labels), weight=3.0, seed=1)
    assert res.n_corrections == 40 and res.n_held_out == 10 and res.topics == ["uang", "hoaks"]
    assert res.after["uang"]["f1"] > res.before["uang"]["f1"]
    assert res.after["uang"]["f1"] >= 0.9
    loaded = netral_nlp.load(tmp_path / "updated")
    assert loaded.predict("warga bilang salam tempel sore ini").labels == ["uang"]
    assert loaded.metrics_["update"]["n_held_out"] == 10 and loaded.thresholds == res.thresholds_after
    assert loaded.metrics_["update"]["corpus"] == "data"
    assert netral_nlp.evaluate(loaded, toy(100, 9)).macro_f1 > 0.9  # still knows the old topics
    alone = update_model(path, toy_model, corpus=False, refit=False)  # the sheet alone: hoaks is never positive
    assert alone.model.predict_proba(["berita palsu editan beredar"])[0, 1] < 0.01


def test_update_refuses_what_it_cannot_do(tmp_path, toy_model):
    path = sheet(tmp_path, ["text", "uang"], [[f"amplop {i}", "1"] for i in range(10)])
    with pytest.raises(DataError, match="must label every topic"):
        update_model(path, toy_model, corpus=False)
    with pytest.raises(DataError, match="project corpus is labelled with"):
        update_model(path, toy_model)
    ensemble = netral_nlp.EnsembleTopicClassifier([toy_model, toy_model])
    with pytest.raises(DataError, match="needs a linear"):
        update_model(path, ensemble)


def test_fit_sample_weight_zero_leaves_a_text_out_of_that_topic():
    texts = ["amplop fajar", "amplop sembako", "cuaca cerah", "harga cabai"] * 3 + ["amplop amplop amplop"]
    Y = np.array([[1], [1], [0], [0]] * 3 + [[0]])
    W = np.r_[np.ones(12), 0.0]  # the last (contradicting) text is not labelled for the topic
    tax = Taxonomy.from_labels(["uang"])
    ignored = LinearTopicClassifier(tax, min_df=1).fit(texts, Y, sample_weight=W)
    counted = LinearTopicClassifier(tax, min_df=1).fit(texts, Y, sample_weight=np.r_[np.ones(12), 50.0])
    p = lambda m: m.predict_proba(["amplop"])[0, 0]  # noqa: E731
    assert p(ignored) > 0.5 > p(counted)
    with pytest.raises(ValueError, match="sample_weight"):
        LinearTopicClassifier(tax, min_df=1).fit(texts, Y, sample_weight=np.ones(3))


def test_tune_thresholds_ignores_rows_weighted_zero():
    y = np.array([[1], [1], [0], [0], [1]])
    p = np.array([[0.9], [0.8], [0.2], [0.1], [0.15]])
    assert netral_nlp.tune_thresholds(y[:4], p[:4])[0] == netral_nlp.tune_thresholds(
        y, p, sample_weight=np.array([1, 1, 1, 1, 0.0]))[0]
    assert netral_nlp.tune_thresholds(y, p)[0] <= 0.15


# ---------------------------------------------------------------------------- command line
def test_cli_suggest_then_train_from_default_with_the_sheet(tmp_path, capsys):
    from netral_nlp.cli import main

    records = list(netral_nlp.iter_corpus("test"))[:150]
    gold = {r["text"]: r["labels"] for r in records}
    dump = write_dump(tmp_path / "dump.jsonl", [r["text"] for r in records])
    path = tmp_path / "to_label.csv"
    assert main(["suggest", str(dump), "-n", "24", "-o", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    assert "read 153 rows" in out and "skipped 2 (invalid JSON: 1, missing text: 1)" in out
    assert f"wrote 24 posts to {path}" in out
    assert main(["suggest", str(dump), "-n", "5", "-o", str(path), "-q"]) == 2
    assert "exists" in capsys.readouterr().err
    with open(path, encoding="utf-8-sig", newline="") as fh:  # the analyst corrects the sheet
        rows = list(csv.DictReader(fh))
    ids = netral_nlp.DEFAULT_TAXONOMY.ids
    for row in rows:
        row.update({t: int(t in gold[row["text"]]) for t in ids})
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out_csv = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out_csv.writeheader()
        out_csv.writerows(rows)
    model_dir = tmp_path / "my-model"
    # --no-corpus keeps the test fast (the corpus path is test_update_on_the_corpus_uses_its_splits)
    assert main(["train", "--from", "default", "--add", str(path), "--output", str(model_dir), "-q",
                 "--no-corpus"]) == 0
    out = capsys.readouterr().out
    assert "on the 6 held-out corrections (of 24)" in out and "mean F1" in out
    updated = netral_nlp.load(model_dir)
    assert isinstance(updated, LinearTopicClassifier) and updated.metrics_["update"]["n_corrections"] == 24
    assert updated.metrics_["update"]["corpus"] is False
    assert main(["train", "--from", "default"]) == 2 and "--from needs --add" in capsys.readouterr().err
    assert main(["train", "corpus", "--add", str(path)]) == 2 and "either DATA" in capsys.readouterr().err
    bad = sheet(tmp_path, ["text", "hoax"], [["x", "1"]])
    assert main(["train", "--add", str(bad), "-o", str(tmp_path / "m2")]) == 2
    assert "unknown column(s) ['hoax']" in capsys.readouterr().err


def test_tune_thresholds_matches_sklearn_f1_with_weights():
    from sklearn.metrics import f1_score

    from netral_nlp.labels.thresholds import DEFAULT_GRID, _f1_per_threshold

    rng = np.random.default_rng(3)
    y, p, w = rng.integers(0, 2, 200), rng.random(200), rng.integers(0, 4, 200).astype(float)
    ours = _f1_per_threshold(y, p, w, DEFAULT_GRID)
    ref = [f1_score(y, p >= t, sample_weight=w, zero_division=0.0) for t in DEFAULT_GRID]
    assert np.allclose(ours, ref)
    assert _f1_per_threshold(np.zeros(3), np.zeros(3), np.ones(3), DEFAULT_GRID).max() == 0.0


def test_update_on_the_corpus_uses_its_splits(monkeypatch):
    from netral_nlp.training import update

    fake = [{"text": f"t{i}", "labels": labels, "split": split} for i, (labels, split) in enumerate(
        [(["hoaks"], "train"), ([], "dev"), (["politik_uang", "hoaks"], "train"), (["hoaks"], "test")])]
    monkeypatch.setattr(update, "iter_corpus", lambda split=None: iter(fake))
    (train_texts, train_y), (dev_texts, dev_y) = update._corpus(netral_nlp.load(), True, 0)
    assert train_texts == ["t0", "t2"] and dev_texts == ["t1"]
    assert train_y.tolist() == [[0, 0, 1, 0, 0], [0, 1, 1, 0, 0]] and dev_y.tolist() == [[0] * 5]
